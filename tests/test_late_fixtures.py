"""latebot's Late wire models read the payloads Late really sends (tests/fixtures/late/, recorded from
the official SDKs' types and the API spec; see REFERENCE.md there), and what it makes of them is right.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.late.answer import items_of, parse, post_of
from bot.late.models import (
    Account,
    AccountHealthDetail,
    ConnectUrl,
    CreatePostResult,
    HealthReport,
    MediaPresign,
    MediaUpload,
    PinterestBoards,
    PostPage,
    Profile,
)
from bot.publishing import outcome_of_post
from tests.harness import late_fixture


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("post_created_201", "scheduled"),
        ("post_draft_201", "draft"),
        ("post_published_201", "published"),
        ("post_published", "published"),
        ("post_partial", "partial"),
        ("post_partial_207", "partial"),
        ("post_failed", "failed"),
        ("post_failed_207", "failed"),
        ("post_publishing", "publishing"),  # not settled: followed until it is
        ("post_publishing_207", "publishing"),
        ("post_updated_200", "scheduled"),
        ("post_retry_200", "published"),
    ],
)
def test_every_post_answer_reads_and_means_what_it_says(name: str, kind: str) -> None:
    data = late_fixture(name)
    post = post_of(data)
    assert post.id and post.platforms
    # The populated `accountId` objects of real answers still give the account id and handle.
    assert all(entry.account_id for entry in post.platforms)
    outcome = outcome_of_post(post)
    assert outcome.kind == kind, (name, post.status)
    if kind == "published":
        assert outcome.permalinks and all(u.startswith("https://") for u in outcome.permalinks.values())
    if kind in ("partial", "failed"):
        assert outcome.errors and all(outcome.errors.values())


def test_a_207_keeps_its_per_platform_results() -> None:
    result = parse(CreatePostResult, late_fixture("post_partial_207"))
    assert result.platform_results and {r.status for r in result.platform_results} >= {"failed"}


def test_the_replay_answer_carries_the_original_post() -> None:
    assert post_of({"post": late_fixture("post_replay_200")["existingPost"]}).id


def test_a_cancelled_post_is_read() -> None:
    assert post_of(late_fixture("post_cancelled")).status == "cancelled"


def test_lists_and_account_answers_read() -> None:
    page = parse(PostPage, late_fixture("posts_list"))
    assert page.posts and page.pagination.page == 1
    accounts = [parse(Account, a) for a in items_of(late_fixture("accounts_list"), "accounts")]
    assert accounts and all(a.id and a.platform for a in accounts)
    # Late populates `profileId` with the profile object in some answers: the id is kept either way.
    assert all(a.profile_id for a in accounts)
    profiles = [parse(Profile, p) for p in items_of(late_fixture("profiles_list"), "profiles")]
    assert profiles and all(p.id and p.name for p in profiles)
    boards = parse(PinterestBoards, late_fixture("pinterest_boards"))
    assert boards.boards and boards.default_board_id is None  # Late's current answer has no default


def test_health_connect_and_media_answers_read() -> None:
    report = parse(HealthReport, late_fixture("health_report"))
    assert report.summary.total == len(report.accounts)
    assert any(a.needs_reconnect for a in report.accounts)
    detail = parse(AccountHealthDetail, late_fixture("account_health"))
    assert detail.account_id and detail.token_status is not None
    connect = parse(ConnectUrl, late_fixture("connect_url"))
    assert connect.auth_url.startswith("https://")
    presign = parse(MediaPresign, late_fixture("media_presign"))
    assert presign.upload_url.startswith("https://") and presign.public_url.startswith("https://")
    assert parse(MediaUpload, late_fixture("media_upload")).files


def test_the_body_latebot_sends_has_the_shape_late_documents(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from bot.request import PostDraft, Target

    documented = late_fixture("create_post_request")
    draft = PostDraft(
        thread=["First", "Second"], targets=[Target(account_id="a1", platform="twitter", username="acme")],
        mode="schedule", scheduled_for=datetime(2027, 6, 1, 13, 0, tzinfo=UTC), timezone="Europe/Berlin",
    )
    body = draft.late_body("r1")
    # Top-level keys latebot sends are all keys Late documents for a create.
    assert set(body) <= set(documented) | {"mediaItems", "publishNow", "isDraft"}
    entry = body["platforms"][0]
    assert set(entry) <= {"platform", "accountId", "platformSpecificData", "customContent", "customMedia"}
    # A thread: the first post is threadItems[0] (Late does not publish the top-level content then).
    assert [i["content"] for i in entry["platformSpecificData"]["threadItems"]] == ["First", "Second"]
