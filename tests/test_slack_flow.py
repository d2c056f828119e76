"""End to end through Slack: signed HTTP requests into the running app, the real core and router,
the fake Late on loopback, and the app's Web API pointed at the fake Slack.

post -> approve -> Late -> card updated and the result in its thread; publish now; reject; edit;
the post form; the "Post to social" shortcut with its files uploaded to Late's media (through the
services `latebot slack` runs), files refused or failed, link buttons, and delivery dedupe
surviving a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

from adapters.cli import chat_services
from adapters.http import HttpServer
from adapters.slack.app import EVENTS_PATH
from bot.clock import FixedClock
from bot.messages import Button, Card, Place
from tests.fakes.slack_api import GENERAL, PNG, TEAM, TOKEN, FakeSlack, pings, signed_form
from tests.harness import API_KEY, Harness, core_harness, running
from tests.test_slack_app import buttons, slack_app, slack_values, texts

LAUNCH = '/late post "Launch day! 🚀" to twitter,linkedin at "2026-12-01 09:00" tz America/New_York'
SHARED_TEXT = "Big news & more: our launch post (https://example.com/launch) is live, thanks @bob! @here"


def input_of(view: dict[str, Any], field_id: str) -> dict[str, Any]:
    element: dict[str, Any] = next(
        b for b in view["blocks"] if b.get("block_id", "").split("~")[0] == field_id
    )["element"]
    return element


def notes_of(view: dict[str, Any]) -> list[str]:
    return [e["text"] for b in view["blocks"] if b["type"] == "context" for e in b["elements"]]


def no_pings(fake: FakeSlack) -> None:
    for call in fake.calls:
        assert pings(call.body, allowed=("<@U0ALICE>", "<@U0BOB>", "<@U0CAROL>")) == [], call


# --- the approval flow ---------------------------------------------------------------------------


async def test_post_approve_late_and_the_card_updated_in_place(tmp_path: Path) -> None:
    async with slack_app(tmp_path) as f:
        status, body, took = await f.command(LAUNCH)
        assert (status, body) == (200, "") and took < 3.0
        card = f.card()
        shown = texts(card)
        assert buttons(card) == ["Approve", "Reject", "Edit"]
        assert "*X @demobrand  (14/280 characters)*" in shown
        assert "*LinkedIn @demo-brand  (13/3000 characters)*" in shown
        assert "Tue 1 Dec 2026 09:00 America/New_York" in shown and "*Requested by*\\nalice" in shown
        assert "Sent for approval here as request r1" in f.ephemeral()[-1]

        await f.click("Approve", user="alice")
        assert f.ephemeral()[-1] == "You can't approve your own request; someone else has to."
        assert f.h.late.calls("POST", "/v1/posts") == []

        await f.click("Approve", user="bob")
        [created] = f.h.late.calls("POST", "/v1/posts")
        assert created.headers["idempotency-key"] == "latebot-r1-r1"
        assert created.json["scheduledFor"] == "2026-12-01T14:00:00Z" and created.json["timezone"] == "America/New_York"
        card = f.card()
        assert card.get("edited") and buttons(card) == []
        assert ":white_check_mark: Scheduled" in texts(card) and "*Approved by*\\nbob" in texts(card)
        [reply] = f.thread(card)
        assert reply["text"].startswith("<@U0ALICE> Your post r1 was approved by bob")
        assert [r["state"] for r in await f.requests()] == ["scheduled"]

        # Publishing day: Late publishes it, the result and its permalinks come back into the thread.
        assert isinstance(f.h.clock, FixedClock)
        f.h.clock.set(datetime(2026, 12, 1, 14, 1, tzinfo=UTC))
        await f.h.late.engine.tick()
        await f.h.core.scheduler.tick()
        card = f.card()
        assert "Published" in card["blocks"][0]["text"]["text"]
        result = f.thread(card)[-1]["text"]
        assert "https://" in result and "<@U0ALICE>" in result
        no_pings(f.fake)


async def test_publish_now_reports_permalinks_in_the_thread(tmp_path: Path) -> None:
    async with slack_app(tmp_path) as f:
        await f.command('/late post "Now is the time" to bluesky now')
        await f.click("Approve", user="bob")
        card = f.card()
        assert "Published" in card["blocks"][0]["text"]["text"]
        assert "https://bsky.app/" in texts(card)
        assert "https://bsky.app/" in f.thread(card)[-1]["text"]


async def test_reject_asks_for_a_reason_in_a_modal_and_tells_the_requester(tmp_path: Path) -> None:
    async with slack_app(tmp_path) as f:
        await f.command('/late post "Hello from the team" to x tomorrow 9am')
        await f.click("Reject", user="bob")
        # views.open succeeded: the fake Slack honours a trigger_id once and for 3 seconds only
        [opened] = f.fake.called("views.open")
        view = opened.body["view"]
        assert view["callback_id"] == "late:reject:r1:1"
        await f.submit(view, {"reason": "Off-brand <!here> & too early"}, user="bob")
        card = f.card()
        assert ":x: Rejected" in texts(card) and buttons(card) == []
        assert "Off-brand &lt;!here&gt; &amp; too early" in texts(card)
        reply = f.thread(card)[-1]["text"]
        assert reply.startswith("<@U0ALICE>") and "&lt;!here&gt;" in reply
        assert "Rejected r1." in f.ephemeral("U0BOB")[-1]
        [row] = await f.requests()
        assert (row["state"], row["reason"], row["decided_by"]) == ("rejected", "Off-brand <!here> & too early", "bob")
        assert f.h.late.calls("POST", "/v1/posts") == []
        no_pings(f.fake)


async def test_edit_opens_the_prefilled_form_and_resubmits(tmp_path: Path) -> None:
    async with slack_app(tmp_path) as f:
        await f.command(LAUNCH)
        await f.click("Edit", user="bob")
        view = f.fake.called("views.open")[-1].body["view"]
        assert view["callback_id"] == "late:edit:r1:1"
        assert input_of(view, "text")["initial_value"] == "Launch day! 🚀"
        assert len(input_of(view, "targets")["initial_options"]) == 2
        # 09:00 in New York on 1 Dec is 14:00 UTC; the picker shows it in the user's own zone
        assert input_of(view, "when")["initial_date_time"] == int(datetime(2026, 12, 1, 14, tzinfo=UTC).timestamp())
        assert input_of(view, "tz")["initial_value"] == "America/New_York"
        await f.submit(view, {"text": "Launch day, take two 🚀"}, user="bob")
        assert "Saved revision 2 of r1" in f.ephemeral("U0BOB")[-1]
        card = f.card()
        assert "Launch day, take two" in texts(card) and buttons(card) == ["Approve", "Reject", "Edit"]
        approve = next(e for b in card["blocks"] if b["type"] == "actions" for e in b["elements"])
        assert approve["value"] == "r1:2"  # the buttons now stand for the new revision
        [row] = await f.requests()
        assert (row["state"], row["revision"]) == ("pending", 2)
        assert json.loads(row["draft"])["scheduled_for"].startswith("2026-12-01T14:00")


async def test_bare_post_opens_the_form_in_the_users_time_zone(tmp_path: Path) -> None:
    async with slack_app(tmp_path) as f:
        await f.command("/late post")
        view = f.fake.called("views.open")[-1].body["view"]
        assert view["callback_id"] == "late:post"
        assert input_of(view, "tz")["initial_value"] == "Europe/Berlin"  # from users.info
        # Nothing has asked Late for the accounts yet (the form only uses cached ones): targets are typed
        assert input_of(view, "targets")["type"] == "plain_text_input"
        await f.submit(
            view,
            {
                "text": "From the modal",
                "targets": "x",
                "mode": "schedule",
                "when": int(datetime(2026, 12, 2, 8, tzinfo=UTC).timestamp()),
            },
            user="alice",
        )
        assert "Sent for approval" in f.ephemeral()[-1]
        assert "Wed 2 Dec 2026 09:00 Europe/Berlin" in texts(f.card())
        # Once the channel is bound and its accounts known, the form offers them to pick from
        await f.command("/late bind Demo Brand")
        await f.command("/late accounts")
        await f.command("/late post")
        view = f.fake.called("views.open")[-1].body["view"]
        labels = [o["text"]["text"] for o in input_of(view, "targets")["options"]]
        assert "X @demobrand" in labels and len(labels) == 5


# --- files: the "Post to social" shortcut ------------------------------------------------------------


@contextlib.asynccontextmanager
async def latebot_slack(tmp_path: Path) -> AsyncIterator[tuple[Harness, FakeSlack, str]]:
    """The services `latebot slack` runs (adapters/cli.py `serve`): the HTTP server, the Slack
    adapter from `chat_services` with the real router, and the scheduler, under the runtime."""
    async with FakeSlack() as fake, core_harness(tmp_path, **slack_values(fake)) as h:
        http = HttpServer(host="127.0.0.1", port=0)  # `serve` listens on 0.0.0.0:--port
        services = [http, *chat_services(h.core, h.router, "slack", http), h.core.scheduler]
        async with running(services, lambda: bool(http.url and http.status.get("slack") == "http"), within=10):
            yield h, fake, http.url


async def test_a_file_shared_into_the_post_form_reaches_late_as_uploaded_media(tmp_path: Path) -> None:
    async with latebot_slack(tmp_path) as (h, fake, url), aiohttp.ClientSession() as http:

        async def send(body: str) -> None:
            headers = signed_form(body)
            async with http.post(url + EVENTS_PATH, data=body.encode(), headers=headers) as resp:
                assert (resp.status, await resp.text()) == (200, "")

        async with http.get(url + "/healthz") as resp:
            assert await resp.json() == {"ok": True, "slack": "http"}
        await send(fake.shortcut())
        [opened] = await fake.wait_for("views.open")
        view = opened.body["view"]
        assert input_of(view, "text")["initial_value"] == SHARED_TEXT
        assert notes_of(view) == ["Attaching 1 file from the message…"]
        # the file goes from Slack (files.info, then a download with the bot token) to Late's media
        [updated] = await fake.wait_for("views.update")
        assert [c.body["file"] for c in fake.called("files.info")] == ["F0PHOTO1"]
        assert len(fake.called("file_download")) == 1
        [presign] = h.late.calls("POST", "/v1/media/presign")
        assert presign.json == {"filename": "launch.png", "contentType": "image/png", "size": len(PNG)}
        [put] = h.late.calls("PUT", "/v1/media/uploads/*")
        assert put.body == PNG and put.headers["content-type"] == "image/png"
        assert "authorization" not in put.headers  # Late's key never goes to its storage
        view = updated.body["view"]
        media = next(b for b in view["blocks"] if b.get("block_id", "").startswith("media"))
        assert media["block_id"] == "media~1"  # re-keyed, so that Slack shows the new value
        late_url = media["element"]["initial_value"]
        assert late_url.startswith("https://media.sandbox.latebot.invalid/") and late_url.endswith("launch.png")
        assert notes_of(view) == []

        await send(fake.submit(view, {"targets": "x"}, user="alice"))
        await fake.wait_for("chat.postMessage")
        [card] = fake.messages[GENERAL]
        assert "our launch post (https://example.com/launch)" in texts(card)
        assert f"*Media*\\n{late_url}" in texts(card)  # once, not twice
        await send(fake.click(card, "Approve", user="bob"))
        await fake.wait_for("chat.postMessage", 2)  # the result, told in the card's thread
        [created] = h.late.calls("POST", "/v1/posts")
        assert [m["url"] for m in created.json["mediaItems"]] == [late_url]  # Late's URL, not Slack's
        assert fake.url not in json.dumps(created.json) and "slack.com" not in json.dumps(created.json)
        assert "Published" in fake.messages[GENERAL][0]["blocks"][0]["text"]["text"]
        no_pings(fake)


async def test_a_file_too_large_for_late_is_refused_before_it_is_downloaded(tmp_path: Path) -> None:
    async with slack_app(tmp_path) as f:
        # files.info says how large it is; nothing that large is ever served, or needed
        big = f.h.router.max_upload_bytes + 1024**3
        f.fake.add_file("F0MOVIE", "launch.mov", "video/quicktime", b"", size=big)
        await f.send(f.fake.shortcut(files=["F0MOVIE", "F0PHOTO1"]))
        await f.bot.idle()
        assert notes_of(f.fake.called("views.open")[-1].body["view"]) == ["Attaching 2 files from the message…"]
        view = f.fake.called("views.update")[-1].body["view"]
        [note] = notes_of(view)
        assert note == "Could not attach launch.mov: launch.mov is 6 GB, over the 5 GB Late takes for one file."
        # the big one was never fetched from Slack nor sent to Late; the photo was
        assert [c.body["id"] for c in f.fake.calls if c.method == "file_download"] == ["F0PHOTO1"]
        assert [c.json["filename"] for c in f.h.late.calls("POST", "/v1/media/presign")] == ["launch.png"]
        late_url = input_of(view, "media")["initial_value"]
        # on submitting, the requester is told again which file is missing
        await f.submit(view, {"targets": "x"}, user="alice")
        replies = f.ephemeral()
        assert replies[-2] == (
            "These files were not attached to the post:\n"
            "- launch.mov: launch.mov is 6 GB, over the 5 GB Late takes for one file."
        )
        assert replies[-1].startswith("Sent for approval")
        assert f"*Media*\\n{late_url}" in texts(f.card())


async def test_a_file_late_refuses_is_named_in_the_form_and_the_post_goes_without_it(tmp_path: Path) -> None:
    async with slack_app(tmp_path) as f:
        f.h.late.fail("POST", "/v1/media/presign", 400, body={"error": "Content type not allowed: image/png"})
        await f.send(f.fake.shortcut())
        await f.bot.idle()
        view = f.fake.called("views.update")[-1].body["view"]
        [note] = notes_of(view)
        assert note.startswith("Could not attach launch.png: ")
        assert "Content type not allowed" in note
        assert input_of(view, "media").get("initial_value", "") == ""
        await f.submit(view, {"targets": "x"}, user="alice")
        assert f.ephemeral()[-1].startswith("Sent for approval")
        assert "*Media*" not in texts(f.card())


async def test_a_files_failure_is_shown_with_its_secrets_redacted(tmp_path: Path) -> None:
    """Late's error text may echo a secret: the note in the form and the reply on submitting say why
    the file failed, without it (the port redacts upload failures; they are shown outside any reply)."""
    async with slack_app(tmp_path) as f:
        echoed = f"Invalid credentials {API_KEY} (Bearer {TOKEN})"
        f.h.late.fail("POST", "/v1/media/presign", 400, body={"error": echoed})
        await f.send(f.fake.shortcut())
        await f.bot.idle()
        view = f.fake.called("views.update")[-1].body["view"]
        [note] = notes_of(view)
        assert note.startswith("Could not attach launch.png: ") and "Invalid credentials [redacted]" in note
        await f.submit(view, {"targets": "x"}, user="alice")
        told = f.ephemeral()[-2]
        assert told.startswith("These files were not attached to the post:\n- launch.png: ")
        for shown in (json.dumps(view), told):
            assert API_KEY not in shown and TOKEN not in shown and "[redacted]" in shown


async def test_files_still_uploading_are_added_when_the_form_is_submitted(tmp_path: Path) -> None:
    async with FakeSlack(hold_files=asyncio.Event()) as fake, slack_app(tmp_path, fake=fake) as f:
        assert fake.hold_files is not None
        await f.send(fake.shortcut())
        view = (await fake.wait_for("views.open"))[0].body["view"]
        await fake.wait_for("file_download")  # Slack is slow to hand the file over
        await f.send(fake.submit(view, {"targets": "x"}, user="alice"))
        await asyncio.sleep(0.2)
        # the submission was acked and its work is waiting for the upload, not done without it
        assert any(task.get_name().startswith("slack-view-") for task in f.bot.tasks)
        assert await f.requests() == []
        assert fake.called("views.update") == []
        fake.hold_files.set()
        await f.bot.idle()
        assert len(f.h.late.calls("PUT", "/v1/media/uploads/*")) == 1
        [row] = await f.requests()
        [media] = json.loads(row["draft"])["media"]
        assert media["url"].startswith("https://media.sandbox.latebot.invalid/")
        assert f.ephemeral()[-1].startswith("Sent for approval")


async def test_a_link_button_click_is_acked_and_ignored(tmp_path: Path) -> None:
    async with slack_app(tmp_path) as f:
        card = Card(
            title="Account needs attention",
            tone="warning",
            buttons=[Button(label="Reconnect", url="https://getlate.dev/connect?account=acc_x")],
        )
        await f.h.core.chats.post_card(Place(chat="slack", team=TEAM, channel=GENERAL), card)
        message = f.card()
        [link] = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
        assert link["url"] == "https://getlate.dev/connect?account=acc_x" and "value" not in link
        before = len(f.fake.calls)
        await f.click("Reconnect", user="bob", message=message)
        # nothing is said, opened or changed; the click never reaches the core
        assert {c.method for c in f.fake.calls[before:]} <= {"users.info", "usergroups.list"}
        assert await f.deliveries() == [] and f.h.late.calls() == []
        assert f.fake.calls[before:] == []  # not even a users.info: it is acked and dropped


# --- restarts ------------------------------------------------------------------------------------------


async def test_dedupe_survives_a_restart(tmp_path: Path) -> None:
    async with FakeSlack() as fake:
        body = fake.slash('post "Before the restart" to x now')
        async with slack_app(tmp_path, fake=fake) as f:
            await f.send(body)
            await f.bot.idle()
        async with slack_app(tmp_path, fake=fake) as f:
            assert (await f.send(body, headers={"X-Slack-Retry-Num": "1"}))[0] == 200
            await f.bot.idle()
            assert len(await f.requests()) == 1
            assert len(fake.called("chat.postMessage")) == 1


# --- what the user typed is what gets posted (issue 12) ---------------------------------------------


async def test_emoji_shortcodes_reach_late_as_unicode_and_custom_ones_are_flagged(tmp_path: Path) -> None:
    async with slack_app(tmp_path) as f:
        # as Slack sends it: emoji as shortcodes, a skin tone as a shortcode of its own
        await f.command('/late post "Launch :rocket: :tada: :wave::skin-tone-3: :partyparrot:" to x now')
        card = f.card()
        assert "Launch 🚀 🎉 👋🏼 :partyparrot:" in texts(card)
        assert ":partyparrot: is posted as typed" in texts(card)
        await f.click("Approve", user="bob")
        [created] = f.h.late.calls("POST", "/v1/posts")
        assert created.json["content"] == "Launch 🚀 🎉 👋🏼 :partyparrot:"


async def test_mentions_reach_late_as_the_names_people_read(tmp_path: Path) -> None:
    async with slack_app(tmp_path) as f:
        # A user group and a channel come with their names; a user without one is looked up.
        text = "Thanks <!subteam^S0APPROVERS|@approvers> and <@U0BOB> in <#C0GENERAL|general>, see <https://x.io/a|x.io>"
        await f.command(f'/late post "{text}" to x now')
        await f.click("Approve", user="bob")
        [created] = f.h.late.calls("POST", "/v1/posts")
        assert created.json["content"] == "Thanks @approvers and @bob in #general, see https://x.io/a"
        assert [c.body["user"] for c in f.fake.called("users.info")].count("U0BOB") >= 1


async def test_the_preview_is_exactly_the_text_late_receives(tmp_path: Path) -> None:
    async with slack_app(tmp_path) as f:
        await f.command('/late post "*not bold* in the post" to x now')
        previews = [b for b in f.card()["blocks"] if b["type"] == "section" and b.get("text", {}).get("type")
                    == "plain_text"]
        assert [b["text"]["text"] for b in previews] == ["*not bold* in the post"]
        await f.click("Approve", user="bob")
        assert f.h.late.calls("POST", "/v1/posts")[0].json["content"] == "*not bold* in the post"


async def test_options_in_the_post_form_reach_late(tmp_path: Path) -> None:
    async with slack_app(tmp_path) as f:
        await f.command("/late bind Demo Brand")
        await f.command("/late accounts")  # fills the accounts cache, so the form lists them
        await f.command("/late post")
        view = f.fake.called("views.open")[-1].body["view"]
        ids = [b.get("block_id", "").split("~")[0] for b in view["blocks"]]
        assert "first_comment" in ids and "type" in ids and "board" not in ids  # the profile's platforms
        linkedin = next(o["value"] for o in input_of(view, "targets")["options"] if "LinkedIn" in o["text"]["text"])
        await f.submit(view, {"text": "From the form :rocket:", "targets": [linkedin],
                              "first_comment": "More in the comments :tada:"}, user="alice")
        await f.click("Approve", user="bob")
        [created] = f.h.late.calls("POST", "/v1/posts")
        assert created.json["content"] == "From the form 🚀"
        assert created.json["platforms"][0]["platformSpecificData"] == {"firstComment": "More in the comments 🎉"}
