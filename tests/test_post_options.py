"""Per-post options (issue 12): words in the text command, typed options and form fields, checked
per platform before approval, reach the fake Late in the `platformSpecificData` fields Late's docs
name (tests/fixtures/late/REFERENCE.md section 4). Through the real router and core on the fake Late.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.messages import FormSubmission, Invocation
from tests.harness import GENERAL, Harness, Said, actor, core_harness, press, say

ALICE, BOB = actor("alice"), actor("bob")
IMAGE = "https://example.com/photo.jpg"
VIDEO = "https://example.com/clip.mp4"


async def with_accounts(h: Harness, *platforms: str) -> dict[str, str]:
    """Adds an account per platform to the demo profile; platform -> account id."""
    profile = (await h.core.directory.profiles())[0]
    ids = {p: await h.late.engine.add_account(profile.id, p, f"demo_{p}") for p in platforms}
    h.core.directory.invalidate()
    return ids


async def approved(h: Harness, command: str) -> dict[str, Any]:
    """`command` by alice, approved by bob: the body Late received."""
    said = await say(h, ALICE, command)
    assert "Sent for approval" in said.text, said.text
    request = max(await h.core.approvals.queue(GENERAL), key=lambda r: r.created_at)
    await press(h, BOB, "approve", f"{request.id}:{request.revision}")
    body: dict[str, Any] = h.late.calls("POST", "/v1/posts")[-1].json
    return body


def specific(body: dict[str, Any], platform: str) -> dict[str, Any]:
    entry = next(p for p in body["platforms"] if p["platform"] == platform)
    data: dict[str, Any] = entry.get("platformSpecificData", {})
    return data


async def test_reddit_subreddit_title_and_link(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        await with_accounts(h, "reddit")
        body = await approved(h, 'post "What we learned shipping" to reddit r/python title "Lessons from launch day" '
                                 "link https://example.com/blog now")
        assert specific(body, "reddit") == {"subreddit": "python", "title": "Lessons from launch day",
                                            "url": "https://example.com/blog"}
        # `subreddit` as a word of its own, and `r/...` alone as the target
        body = await approved(h, 'post "Second one" to r/learnpython now')
        assert [p["platform"] for p in body["platforms"]] == ["reddit"]
        assert specific(body, "reddit") == {"subreddit": "learnpython"}


async def test_a_bad_subreddit_or_a_missing_one_is_refused_before_approval(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        await with_accounts(h, "reddit")
        said = await say(h, ALICE, 'post "Hi" to reddit now')
        assert "Reddit needs a subreddit: add `r/<name>`" in said.text
        said = await say(h, ALICE, 'post "Hi" to reddit subreddit "no good" now')
        assert "is not a subreddit name" in said.text
        assert h.late.calls("POST", "/v1/posts") == [] and await h.core.approvals.queue(GENERAL) == []


async def test_pinterest_board_by_name_and_the_user_is_asked_when_there_are_several(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        await with_accounts(h, "pinterest")
        # The boards answer names no default and Late would take the first board: ask.
        said = await say(h, ALICE, f'post "Tomato soup" to pinterest with {IMAGE} now')
        assert "Which Pinterest board should it go to? @demo_pinterest has “Inspiration”, “Engineering”." in said.text
        said = await say(h, ALICE, f'post "Tomato soup" to pinterest board Recipes with {IMAGE} now')
        assert "has no board “Recipes”; its boards: “Inspiration”, “Engineering”." in said.text
        body = await approved(h, f'post "Tomato soup" to pinterest board "engineering" title "Soup" '
                                 f"link https://example.com/soup with {IMAGE} now")
        assert specific(body, "pinterest") == {"boardId": "engineering", "title": "Soup",
                                               "link": "https://example.com/soup"}


async def test_pinterest_with_one_board_uses_it_and_the_card_names_it(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        ids = await with_accounts(h, "pinterest")
        await h.late.engine.update_account(ids["pinterest"], settings='{"boards": [{"id": "b7", "name": "Recipes"}]}')
        said = await say(h, ALICE, f'post "Soup" to pinterest with {IMAGE} now')
        request = (await h.core.approvals.queue(GENERAL))[0]
        card = await h.core.notices.card_for(request)
        assert card.sections[0].text == "Board: Recipes"
        assert "Sent for approval" in said.text
        await press(h, BOB, "approve", f"{request.id}:1")
        assert specific(h.late.calls("POST", "/v1/posts")[-1].json, "pinterest") == {"boardId": "b7"}


async def test_first_comment_goes_only_where_late_takes_it_and_the_card_says_where_not(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        said = await say(h, ALICE, 'post "Launch" to x,linkedin,threads first comment "Details in the thread" now')
        request = (await h.core.approvals.queue(GENERAL))[0]
        card = await h.core.notices.card_for(request)
        assert "X @demobrand: X takes no first comment; it is not sent there." in card.notes
        assert [s.text for s in card.sections] == ["", "First comment: Details in the thread",
                                                  "First comment: Details in the thread"]
        assert "Sent for approval" in said.text
        await press(h, BOB, "approve", f"{request.id}:1")
        body = h.late.calls("POST", "/v1/posts")[-1].json
        assert "platformSpecificData" not in body["platforms"][0]
        assert specific(body, "linkedin") == specific(body, "threads") == {"firstComment": "Details in the thread"}
        said = await say(h, ALICE, f'post "Launch" to threads first comment "{"c" * 501}" now')
        assert "The first comment is 501 characters; Threads allows 500." in said.text


async def test_youtube_title_and_visibility_instagram_story_facebook_reel_tiktok_privacy(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        await with_accounts(h, "youtube", "facebook", "tiktok")
        body = await approved(h, f'post "Our launch film" to yt title "Launch day" privacy unlisted '
                                 f'first comment "Chapters below" with {VIDEO} now')
        assert specific(body, "youtube") == {"title": "Launch day", "visibility": "unlisted",
                                             "firstComment": "Chapters below"}
        body = await approved(h, f'post "Behind the scenes" to ig story with {IMAGE} now')
        assert specific(body, "instagram") == {"contentType": "story"}
        body = await approved(h, f'post "Reel time" to fb reel title "The reel" with {VIDEO} now')
        assert specific(body, "facebook") == {"contentType": "reel", "title": "The reel"}
        body = await approved(h, f'post "Dance" to tiktok privacy friends with {VIDEO} now')
        assert specific(body, "tiktok") == {"privacyLevel": "MUTUAL_FOLLOW_FRIENDS"}
        said = await say(h, ALICE, f'post "Dance" to tiktok privacy unlisted with {VIDEO} now')
        assert "TikTok has no “unlisted” privacy" in said.text
        said = await say(h, ALICE, f'post "A reel" to ig reel with {IMAGE} now')
        assert "A reel on Instagram is one video: add exactly one." in said.text


async def test_typed_options_reach_late_too(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        await with_accounts(h, "reddit")
        said = Said()
        options = {"text": "Typed in Discord", "to": "reddit,linkedin", "mode": "now", "subreddit": "r/python",
                   "title": "A title", "first_comment": "A comment"}
        await h.router.invoke(Invocation(actor=ALICE, place=GENERAL, command="post", options=options), said)
        assert "Sent for approval" in said.text, said.text
        await press(h, BOB, "approve", "r1:1")
        body = h.late.calls("POST", "/v1/posts")[-1].json
        assert specific(body, "reddit") == {"subreddit": "python", "title": "A title"}
        assert specific(body, "linkedin") == {"firstComment": "A comment"}


async def test_edit_changes_options_targets_and_time_and_keeps_the_rest(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        await say(h, ALICE, 'post "The text stays" to x at "2026-12-01 09:00"')
        said = await say(h, ALICE, 'edit r1 to linkedin at "2026-12-02 10:30" first comment "Added later"')
        assert "Edited r1: revision 2 needs approval again." in said.text
        request = await h.core.approvals.get("r1")
        assert request.draft.text == "The text stays" and [t.platform for t in request.draft.targets] == ["linkedin"]
        assert request.draft.scheduled_for is not None and request.draft.scheduled_for.isoformat().startswith(
            "2026-12-02T10:30")
        await press(h, BOB, "approve", "r1:2")
        body = h.late.calls("POST", "/v1/posts")[-1].json
        assert body["content"] == "The text stays" and specific(body, "linkedin") == {"firstComment": "Added later"}


async def test_the_post_form_offers_the_pinterest_boards_and_its_choice_reaches_late(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        ids = await with_accounts(h, "pinterest")
        await say(h, actor("admin", admin=True), "bind Demo Brand")
        await say(h, ALICE, f'post "Warm up" to pinterest with {IMAGE} now')  # asks which board; now cached
        form = await h.router.post_form(GENERAL, ALICE)
        board = next(f for f in form.fields if f.id == "board")
        assert board.kind == "select" and board.options == [("Inspiration", "Inspiration"),
                                                            ("Engineering", "Engineering")]
        said = Said()
        values: dict[str, str | list[str]] = {"text": "From the form", "targets": [ids["pinterest"]],
                                              "mode": "now", "media": IMAGE, "board": "Engineering"}
        await h.router.submit(FormSubmission(actor=ALICE, place=GENERAL, form_id=form.id, values=values), said)
        assert "Sent for approval" in said.text, said.text
        request = (await h.core.approvals.queue(GENERAL))[0]
        await press(h, BOB, "approve", f"{request.id}:1")
        assert specific(h.late.calls("POST", "/v1/posts")[-1].json, "pinterest") == {"boardId": "engineering"}
