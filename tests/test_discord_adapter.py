"""The Discord adapter against real discord.py on a fake gateway and REST server, with a recording router.

These tests pin what the adapter itself does (translate, render, answer in time); the flows
through the real core are in test_discord_e2e.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from adapters.discord.client import LateBot
from adapters.discord.service import running_bot
from bot.messages import (
    Actor,
    Button,
    ButtonPress,
    Card,
    CardField,
    Form,
    FormField,
    FormSubmission,
    Invocation,
    Place,
    Preview,
    Reply,
)
from bot.ports import ChatPort, Responder
from tests.fakes.discord_server import (
    APPROVALS,
    APPROVERS_ROLE,
    GENERAL,
    GUILD_ID,
    USERS,
    Call,
    FakeDiscord,
    bot_settings,
    fixture,
)

Handler = Callable[[Any, Responder], Awaitable[None]]


async def say_ok(_: Any, responder: Responder) -> None:
    await responder.reply(Reply(text="ok"))


class RecordingRouter:
    """Stands in for commands.router.Router: records what the adapter hands over, answers as told."""

    def __init__(self) -> None:
        self.invocations: list[Invocation] = []
        self.presses: list[ButtonPress] = []
        self.submissions: list[FormSubmission] = []
        self.completions: list[tuple[Invocation, str, str]] = []
        self.forms_asked: list[tuple[Place, Actor, str, list[str]]] = []
        self.ports: list[ChatPort] = []
        self.on_invoke: Handler = say_ok
        self.on_press: Handler = say_ok
        self.on_submit: Handler = say_ok
        self.form = Form(
            id="late:post", title="New social post", fields=[FormField(id="text", label="Post text")]
        )

    def register(self, port: ChatPort) -> None:
        self.ports.append(port)

    async def invoke(self, inv: Invocation, responder: Responder) -> None:
        self.invocations.append(inv)
        await self.on_invoke(inv, responder)

    async def press(self, press: ButtonPress, responder: Responder) -> None:
        self.presses.append(press)
        await self.on_press(press, responder)

    async def submit(self, sub: FormSubmission, responder: Responder) -> None:
        self.submissions.append(sub)
        await self.on_submit(sub, responder)

    async def post_form(
        self, place: Place, actor: Actor, *, text: str = "", media: list[str] | None = None
    ) -> Form:
        self.forms_asked.append((place, actor, text, list(media or [])))
        return self.form.model_copy(
            update={
                "fields": [
                    FormField(id="text", label="Post text", kind="textarea", value=text),
                    FormField(id="media", label="Media URLs", kind="textarea", value="\n".join(media or [])),
                ]
            }
        )

    async def autocomplete(self, inv: Invocation, option: str, value: str) -> list[tuple[str, str]]:
        self.completions.append((inv, option, value))
        return [(f"{value} -> Tue 1 Dec 2026 09:00 America/New_York", value)]


def approval_card(request_id: str = "r1", text: str = "Launch day! 🚀") -> Card:
    return Card(
        title="Post awaiting approval",
        text="Review the post below, then approve, reject or edit it.",
        previews=[
            Preview(
                platform="twitter",
                platform_name="X",
                account="acme",
                parts=[text],
                count=len(text),
                limit=280,
            )
        ],
        fields=[CardField(title="Requested by", value="Alice", inline=True)],
        warnings=["Instagram needs an image"],
        buttons=[
            Button(label="Approve", action="approve", request_id=request_id, style="primary"),
            Button(label="Reject", action="reject", request_id=request_id, style="danger"),
            Button(label="Edit", action="edit", request_id=request_id),
        ],
        tone="pending",
    )


@contextlib.asynccontextmanager
async def discord_bot(
    tmp_path: Path, **options: Any
) -> AsyncIterator[tuple[FakeDiscord, LateBot, RecordingRouter]]:
    settings_extra = options.pop("settings", {})
    options.setdefault("guild_ready_timeout", 0.05)
    async with FakeDiscord() as fake:
        router = RecordingRouter()
        async with running_bot(bot_settings(fake, tmp_path, **settings_extra), router, **options) as bot:  # type: ignore[arg-type]
            yield fake, bot, router


async def answered(fake: FakeDiscord, payload: dict[str, Any], count: int = 1) -> list[Call]:
    await fake.wait_until(lambda: len(fake.callbacks(payload)) >= count)
    return fake.callbacks(payload)


# --- start-up ---------------------------------------------------------------------------------


async def test_connects_with_default_intents_and_syncs_commands_globally(tmp_path: Path) -> None:
    async with discord_bot(tmp_path) as (fake, bot, router):
        assert fake.identified == 1
        assert router.ports == [bot.port]
        put = [c for c in fake.calls if c.method == "PUT"]
        assert [c.path for c in put] == ["/applications/1180000000000000001/commands"]
        by_name = {c["name"]: c for c in put[0].json}
        assert set(by_name) == {"late", "Post to social"}
        assert by_name["Post to social"]["type"] == 3
        assert (
            by_name["late"]["dm_permission"] is False and by_name["Post to social"]["dm_permission"] is False
        )
        subs = {o["name"]: o for o in by_name["late"]["options"]}
        assert list(subs) == [
            "post",
            "queue",
            "show",
            "cancel",
            "retry",
            "edit",
            "accounts",
            "health",
            "usage",
            "profiles",
            "bind",
            "config",
            "help",
        ]
        post = {o["name"]: o for o in subs["post"]["options"]}
        assert [n for n, o in post.items() if o.get("required")] == ["text"]
        assert post["to"]["autocomplete"] and post["when"]["autocomplete"] and post["tz"]["autocomplete"]
        assert post["media"]["type"] == 11
        assert [c["value"] for c in post["mode"]["choices"]] == ["schedule", "now", "draft"]
        assert {o["name"]: o for o in subs["bind"]["options"]}["profile"]["autocomplete"]
    assert bot.is_closed()


async def test_syncs_to_one_guild_with_discord_guild_id(tmp_path: Path) -> None:
    async with discord_bot(tmp_path, settings={"DISCORD_GUILD_ID": int(GUILD_ID)}) as (fake, _bot, _router):
        put = [c.path for c in fake.calls if c.method == "PUT"]
        assert put == [f"/applications/1180000000000000001/guilds/{GUILD_ID}/commands"]


async def test_identify_asks_for_no_privileged_intent(tmp_path: Path) -> None:
    async with discord_bot(tmp_path) as (_fake, bot, _router):
        intents = bot.intents
        assert not intents.message_content and not intents.members and not intents.presences


# --- commands ---------------------------------------------------------------------------------


async def test_slash_command_becomes_an_invocation_with_typed_options(tmp_path: Path) -> None:
    async with discord_bot(tmp_path) as (fake, _bot, router):
        attachment = next(iter(fixture("application_command")["data"]["resolved"]["attachments"].values()))
        payload = await fake.interact(
            fake.slash(
                "post",
                {
                    "text": "Launch day! 🚀",
                    "to": "twitter,linkedin",
                    "when": "2026-12-01 09:00",
                    "tz": "America/New_York",
                    "mode": "schedule",
                },
                attachment=attachment,
            )
        )
        (callback,) = await answered(fake, payload)
        inv = router.invocations[0]
        assert inv.command == "post"
        assert inv.options == {
            "text": "Launch day! 🚀",
            "to": "twitter,linkedin",
            "when": "2026-12-01 09:00",
            "tz": "America/New_York",
            "media": attachment["url"],
            "mode": "schedule",
        }
        assert inv.actor.id == USERS["alice"] and inv.actor.name == "Alice" and not inv.actor.is_admin
        assert inv.actor.groups == ("1180000000000000301",)
        assert inv.place == Place(chat="discord", team=GUILD_ID, channel=GENERAL)
        assert inv.delivery_id == f"discord:{payload['id']}"
        assert callback.json["type"] == 4
        assert callback.json["data"]["content"] == "ok"
        assert callback.json["data"]["flags"] == 64


async def test_admin_is_whoever_may_manage_the_server(tmp_path: Path) -> None:
    async with discord_bot(tmp_path) as (fake, _bot, router):
        payload = await fake.interact(fake.slash("bind", {"profile": "Acme"}, user="dana"))
        await answered(fake, payload)
        actor = router.invocations[0].actor
        assert actor.is_admin and APPROVERS_ROLE in actor.groups
        assert router.invocations[0].options == {"profile": "Acme"}


async def test_help_option_named_command_is_passed_as_an_option(tmp_path: Path) -> None:
    async with discord_bot(tmp_path) as (fake, _bot, router):
        payload = await fake.interact(fake.slash("help", {"command": "post"}))
        await answered(fake, payload)
        assert (router.invocations[0].command, router.invocations[0].options) == ("help", {"command": "post"})


async def test_slow_work_is_deferred_then_the_thinking_message_is_edited(tmp_path: Path) -> None:
    async def slow(_: Any, responder: Responder) -> None:
        await asyncio.sleep(1.0)
        await responder.reply(Reply(text="Sent for approval as request r1."))
        await responder.reply(Reply(text="A second note."))

    async with discord_bot(tmp_path, grace=0.2) as (fake, _bot, router):
        router.on_invoke = slow
        payload = await fake.interact(fake.slash("post", {"text": "hi"}))
        (callback,) = await answered(fake, payload)
        assert callback.json == {"type": 5, "data": {"flags": 64}}
        assert callback.at - fake.dispatched_at(payload) < 1.0
        edits = await fake.wait_until(lambda: len(fake.followups(payload)) >= 2 and fake.followups(payload))
        assert (edits[0].method, edits[0].path.rsplit("/", 1)[-1]) == ("PATCH", "@original")
        assert edits[0].json["content"] == "Sent for approval as request r1."
        assert edits[1].method == "POST" and edits[1].json["flags"] == 64
        assert edits[1].json["allowed_mentions"] == {"parse": []}


async def test_a_public_reply_after_a_defer_replaces_the_thinking_message(tmp_path: Path) -> None:
    async def slow(_: Any, responder: Responder) -> None:
        await asyncio.sleep(0.5)
        await responder.reply(Reply(text="This channel now posts to Acme.", ephemeral=False))

    async with discord_bot(tmp_path, grace=0.1) as (fake, _bot, router):
        router.on_invoke = slow
        payload = await fake.interact(fake.slash("bind", {"profile": "Acme"}, user="dana"))
        calls = await fake.wait_until(lambda: len(fake.followups(payload)) >= 2 and fake.followups(payload))
        assert [c.method for c in calls] == ["DELETE", "POST"]
        assert "flags" not in calls[1].json or not calls[1].json["flags"] & 64


async def test_nothing_said_still_closes_the_interaction(tmp_path: Path) -> None:
    async def silent(_: Any, responder: Responder) -> None:
        return None

    async with discord_bot(tmp_path) as (fake, _bot, router):
        router.on_invoke = silent
        payload = await fake.interact(fake.slash("queue"))
        (callback,) = await answered(fake, payload)
        assert callback.json["type"] == 4 and callback.json["data"]["content"] == "Done."


async def test_an_error_in_the_router_becomes_a_short_ephemeral_reference(tmp_path: Path) -> None:
    async def boom(_: Any, responder: Responder) -> None:
        raise RuntimeError("secret internals")

    async with discord_bot(tmp_path) as (fake, _bot, router):
        router.on_invoke = boom
        payload = await fake.interact(fake.slash("queue"))
        (callback,) = await answered(fake, payload)
        text = callback.json["data"]["content"]
        assert (
            "Something went wrong" in text and "secret" not in text and callback.json["data"]["flags"] == 64
        )


# --- mentions -------------------------------------------------------------------------------


async def test_echoed_everyone_never_pings(tmp_path: Path) -> None:
    async def echo(inv: Any, responder: Responder) -> None:
        await responder.reply(Reply(text=f"You wrote: {inv.options['text']}"))

    async with discord_bot(tmp_path) as (fake, _bot, router):
        router.on_invoke = echo
        text = "Big news @everyone and @here, ping <@&1180000000000000300> and <@1180000000000000402>"
        payload = await fake.interact(fake.slash("post", {"text": text}))
        (callback,) = await answered(fake, payload)
        data = callback.json["data"]
        assert text in data["content"]
        assert data["allowed_mentions"] == {"parse": []}


async def test_an_explicit_mention_is_the_only_one_allowed(tmp_path: Path) -> None:
    async with discord_bot(tmp_path) as (fake, bot, _router):
        place = Place(chat="discord", team=GUILD_ID, channel=GENERAL, thread="1310100000000000500")
        await bot.port.send(place, Reply(text="Published @everyone", ephemeral=False, mention=USERS["alice"]))
        (call,) = fake.channel_calls("POST", GENERAL)
        assert call.json["content"] == f"<@{USERS['alice']}> Published @everyone"
        assert call.json["allowed_mentions"] == {"parse": [], "users": [int(USERS["alice"])]}
        assert int(call.json["message_reference"]["message_id"]) == 1310100000000000500
        assert call.json["message_reference"]["fail_if_not_exists"] is False


# --- autocomplete ----------------------------------------------------------------------------


async def test_autocomplete_answers_with_the_routers_choices(tmp_path: Path) -> None:
    async with discord_bot(tmp_path) as (fake, _bot, router):
        payload = await fake.interact(
            fake.autocomplete(
                "post", {"text": "Hello", "tz": "America/New_York", "when": "tomorrow 9am"}, focused="when"
            )
        )
        (callback,) = await answered(fake, payload)
        assert callback.json == {
            "type": 8,
            "data": {
                "choices": [
                    {"name": "tomorrow 9am -> Tue 1 Dec 2026 09:00 America/New_York", "value": "tomorrow 9am"}
                ]
            },
        }
        inv, option, value = router.completions[0]
        assert (option, value) == ("when", "tomorrow 9am")
        assert inv.options == {"text": "Hello", "tz": "America/New_York", "when": "tomorrow 9am"}


async def test_autocomplete_that_takes_too_long_answers_empty_in_time(
    tmp_path: Path, monkeypatch: Any
) -> None:
    async def slow(inv: Invocation, option: str, value: str) -> list[tuple[str, str]]:
        await asyncio.sleep(10)
        return []

    monkeypatch.setattr("adapters.discord.app.AUTOCOMPLETE_TIMEOUT", 0.3)
    async with discord_bot(tmp_path) as (fake, _bot, router):
        router.autocomplete = slow  # type: ignore[method-assign]
        payload = await fake.interact(fake.autocomplete("post", {"to": "tw"}, focused="to"))
        (callback,) = await answered(fake, payload)
        assert callback.json == {"type": 8, "data": {"choices": []}}


# --- buttons and forms ---------------------------------------------------------------------


async def test_card_is_a_channel_message_with_embed_and_buttons(tmp_path: Path) -> None:
    async with discord_bot(tmp_path) as (fake, bot, _router):
        ref = await bot.port.post_card(
            Place(chat="discord", team=GUILD_ID, channel=APPROVALS), approval_card()
        )
        (call,) = fake.channel_calls("POST", APPROVALS)
        assert ref.message_id in fake.messages and ref.channel == APPROVALS
        (embed,) = call.json["embeds"]
        assert embed["title"] == "Post awaiting approval"
        assert embed["fields"][0] == {
            "name": "Preview · X @acme (13/280)",
            "value": "Launch day! 🚀",
            "inline": False,
        }
        assert embed["fields"][-1]["name"] == "⚠ Warnings"
        (row,) = call.json["components"]
        assert [(b["label"], b["custom_id"], b["style"]) for b in row["components"]] == [
            ("Approve", "late:approve:r1", 3),
            ("Reject", "late:reject:r1", 4),
            ("Edit", "late:edit:r1", 2),
        ]
        assert call.json["allowed_mentions"] == {"parse": []}

        done = approval_card().model_copy(update={"title": "Scheduled", "buttons": [], "tone": "success"})
        await bot.port.update_card(ref, done)
        (patch,) = fake.channel_calls("PATCH", APPROVALS)
        assert patch.path == f"/channels/{APPROVALS}/messages/{ref.message_id}"
        assert patch.json["embeds"][0]["title"] == "Scheduled" and patch.json["components"] == []


async def test_a_click_becomes_a_press_and_reject_opens_a_modal(tmp_path: Path) -> None:
    async def open_reject(press: ButtonPress, responder: Responder) -> None:
        await responder.open_form(
            Form(
                id=f"late:reject:{press.request_id}",
                title="Reject post",
                submit="Reject",
                fields=[
                    FormField(
                        id="reason",
                        label="Why? (the requester sees this)",
                        kind="textarea",
                        required=True,
                        max_length=1000,
                    )
                ],
            )
        )

    async with discord_bot(tmp_path) as (fake, bot, router):
        router.on_press = open_reject
        ref = await bot.port.post_card(
            Place(chat="discord", team=GUILD_ID, channel=APPROVALS), approval_card()
        )
        payload = await fake.interact(fake.click(ref.message_id, "late:reject:r1", user="bob"))
        (callback,) = await answered(fake, payload)
        press = router.presses[0]
        assert (press.action, press.request_id, press.actor.id) == ("reject", "r1", USERS["bob"])
        assert press.message is not None and press.message.message_id == ref.message_id
        assert press.actor.groups == (APPROVERS_ROLE,)
        assert callback.json["type"] == 9
        modal = callback.json["data"]
        assert modal["custom_id"] == "late:reject:r1" and modal["title"] == "Reject post"
        (text_input,) = modal["components"][0]["components"]
        assert text_input["custom_id"] == "reason" and text_input["style"] == 2 and text_input["required"]

        submitted = await fake.interact(
            fake.submit("late:reject:r1", {"reason": "Wrong date"}, message_id=ref.message_id)
        )
        (ack,) = await answered(fake, submitted)
        sub = router.submissions[0]
        assert (sub.form_id, sub.values, sub.actor.id) == (
            "late:reject:r1",
            {"reason": "Wrong date"},
            USERS["bob"],
        )
        assert ack.json["type"] == 4 and ack.json["data"]["flags"] == 64


async def test_approve_with_nothing_to_say_is_acknowledged_silently(tmp_path: Path) -> None:
    async def approve(press: ButtonPress, responder: Responder) -> None:
        return None

    async with discord_bot(tmp_path) as (fake, bot, router):
        router.on_press = approve
        ref = await bot.port.post_card(
            Place(chat="discord", team=GUILD_ID, channel=APPROVALS), approval_card()
        )
        payload = await fake.interact(fake.click(ref.message_id, "late:approve:r1"))
        (callback,) = await answered(fake, payload)
        assert callback.json == {"type": 6}


async def test_a_form_that_comes_too_late_gets_an_explanation(tmp_path: Path) -> None:
    async def late_form(press: ButtonPress, responder: Responder) -> None:
        await asyncio.sleep(0.4)
        await responder.open_form(Form(id="late:edit:r1", title="Edit post", fields=[]))

    async with discord_bot(tmp_path, press_grace=0.1) as (fake, bot, router):
        router.on_press = late_form
        ref = await bot.port.post_card(
            Place(chat="discord", team=GUILD_ID, channel=APPROVALS), approval_card()
        )
        payload = await fake.interact(fake.click(ref.message_id, "late:edit:r1"))
        (callback,) = await answered(fake, payload)
        assert callback.json == {"type": 6}
        (followup,) = await fake.wait_until(lambda: fake.followups(payload))
        assert "could not be opened in time" in followup.json["content"] and followup.json["flags"] == 64


async def test_post_to_social_opens_the_post_form_prefilled_with_the_message(tmp_path: Path) -> None:
    async with discord_bot(tmp_path) as (fake, _bot, router):
        payload = await fake.interact(fake.message_menu(content="Our team at the offsite 🎉", attachments=2))
        (callback,) = await answered(fake, payload)
        place, actor, text, media = router.forms_asked[0]
        assert (
            text == "Our team at the offsite 🎉" and actor.id == USERS["alice"] and place.channel == GENERAL
        )
        assert len(media) == 2 and media[0].startswith("https://cdn.discordapp.com/attachments/")
        assert callback.json["type"] == 9
        inputs = [row["components"][0] for row in callback.json["data"]["components"]]
        assert [(i["custom_id"], i["value"]) for i in inputs] == [("text", text), ("media", "\n".join(media))]

        submitted = await fake.interact(
            fake.submit("late:post", {"text": text, "media": media[0]}, user="alice")
        )
        await answered(fake, submitted)
        assert router.submissions[0].values == {"text": text, "media": media[0]}


async def test_post_form_with_six_fields_folds_the_rest_and_maps_labels_back(tmp_path: Path) -> None:
    from adapters.discord.forms import FOLD_PREFIX

    form = Form(
        id="late:edit:r1",
        title="Edit post",
        fields=[
            FormField(id="text", label="Post text", kind="textarea", value="Hi", required=True),
            FormField(
                id="targets",
                label="Post to",
                kind="multiselect",
                value=["acc1"],
                options=[("acc1", "X @acme"), ("acc2", "LinkedIn @acme")],
            ),
            FormField(
                id="mode",
                label="Publish",
                kind="select",
                value="schedule",
                options=[
                    ("now", "As soon as approved"),
                    ("schedule", "At the time below"),
                    ("draft", "Draft"),
                ],
            ),
            FormField(id="when", label="When", kind="datetime", value="2026-12-01 09:00"),
            FormField(id="tz", label="Time zone", value="America/New_York"),
            FormField(id="media", label="Media URLs", kind="textarea", value="https://a.example/1.png"),
        ],
    )

    async def open_edit(press: ButtonPress, responder: Responder) -> None:
        await responder.open_form(form)

    async with discord_bot(tmp_path) as (fake, bot, router):
        router.on_press = open_edit
        ref = await bot.port.post_card(
            Place(chat="discord", team=GUILD_ID, channel=APPROVALS), approval_card()
        )
        payload = await fake.interact(fake.click(ref.message_id, "late:edit:r1"))
        (callback,) = await answered(fake, payload)
        inputs = [row["components"][0] for row in callback.json["data"]["components"]]
        assert len(inputs) == 5
        assert inputs[1]["value"] == "X @acme"
        assert inputs[2]["value"] == "schedule" and inputs[2]["label"] == "Publish (now/schedule/draft)"
        assert inputs[4]["custom_id"] == f"{FOLD_PREFIX}tz,media"
        assert inputs[4]["value"] == "tz: America/New_York\nmedia: https://a.example/1.png"

        values = {
            "text": "Hi again",
            "targets": "X @acme, LinkedIn @acme, bluesky",
            "mode": "draft",
            "when": "",
            f"{FOLD_PREFIX}tz,media": "tz: Europe/Berlin\nmedia: https://a.example/2.png",
        }
        submitted = await fake.interact(fake.submit("late:edit:r1", values))
        await answered(fake, submitted)
        assert router.submissions[0].values == {
            "text": "Hi again",
            "targets": ["acc1", "acc2", "bluesky"],
            "mode": "draft",
            "when": "",
            "tz": "Europe/Berlin",
            "media": "https://a.example/2.png",
        }


# --- the 15 minutes of a token ----------------------------------------------------------------


async def test_after_the_token_expired_replies_go_to_the_channel(tmp_path: Path) -> None:
    async def slow(_: Any, responder: Responder) -> None:
        await asyncio.sleep(0.6)
        await responder.reply(Reply(text="Published @everyone"))

    async with discord_bot(tmp_path, grace=0.1, token_ttl=0.4) as (fake, _bot, router):
        router.on_invoke = slow
        payload = await fake.interact(fake.slash("post", {"text": "hi"}))
        (call,) = await fake.wait_until(lambda: fake.channel_calls("POST", GENERAL))
        assert call.json["content"] == f"<@{USERS['alice']}> Published @everyone"
        assert call.json["allowed_mentions"] == {"parse": [], "users": [int(USERS["alice"])]}
        assert [c.json["type"] for c in fake.callbacks(payload)] == [5]
        assert not fake.followups(payload)


async def test_a_refused_followup_falls_back_to_the_channel(tmp_path: Path) -> None:
    async def slow(_: Any, responder: Responder) -> None:
        await asyncio.sleep(0.5)
        await responder.reply(Reply(text="Sent."))

    async with discord_bot(tmp_path, grace=0.1) as (fake, _bot, router):
        fake.token_ttl = 0.3  # Discord has already forgotten the token
        router.on_invoke = slow
        await fake.interact(fake.slash("queue"))
        (call,) = await fake.wait_until(lambda: fake.channel_calls("POST", GENERAL))
        assert call.json["content"] == f"<@{USERS['alice']}> Sent."


# --- rate limits and errors -------------------------------------------------------------------


async def test_429_is_waited_out_and_401_403_404_are_never_retried(tmp_path: Path) -> None:
    import discord

    place = Place(chat="discord", team=GUILD_ID, channel=APPROVALS)
    async with discord_bot(tmp_path) as (fake, bot, _router):
        fake.rate_limit("POST", rf"^/channels/{APPROVALS}/messages$", retry_after=0.3)
        ref = await bot.port.post_card(place, approval_card())
        posts = [c for c in fake.calls if c.method == "POST" and c.path == f"/channels/{APPROVALS}/messages"]
        assert [c.status for c in posts] == [429, 200]
        assert posts[1].at - posts[0].at >= 0.29

        for status, error in (
            (404, discord.NotFound),
            (403, discord.Forbidden),
            (401, discord.HTTPException),
        ):
            fake.fail("PATCH", r"/messages/", status, {"message": "no", "code": 10008}, times=5)
            before = len(fake.calls)
            with pytest.raises(error):
                await bot.port.update_card(ref, approval_card())
            assert len(fake.calls) - before == 1
            fake.clear_failures()


async def test_alerts_are_paced_per_channel(tmp_path: Path) -> None:
    from adapters.discord.port import Pacer

    async with discord_bot(tmp_path, pacer=Pacer(rate=3, per=0.6)) as (fake, bot, _router):
        place = Place(chat="discord", team=GUILD_ID, channel="1180000000000000202")
        await asyncio.gather(
            *(bot.port.send(place, Reply(text=f"alert {n}", ephemeral=False)) for n in range(6))
        )
        times = [c.at for c in fake.channel_calls("POST")]
        assert len(times) == 6
        assert times[3] - times[0] >= 0.55 and times[5] - times[2] >= 0.55


# --- restart and load ---------------------------------------------------------------------------


async def test_a_click_after_a_restart_is_handled_by_the_new_client(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        settings = bot_settings(fake, tmp_path)
        first = RecordingRouter()
        async with running_bot(settings, first, guild_ready_timeout=0.05) as bot:  # type: ignore[arg-type]
            ref = await bot.port.post_card(
                Place(chat="discord", team=GUILD_ID, channel=APPROVALS), approval_card("r7")
            )
        second = RecordingRouter()
        async with running_bot(settings, second, guild_ready_timeout=0.05) as bot2:  # type: ignore[arg-type]
            assert bot2 is not bot and fake.identified == 2
            payload = await fake.interact(fake.click(ref.message_id, "late:approve:r7"))
            await answered(fake, payload)
            assert [(p.action, p.request_id) for p in second.presses] == [("approve", "r7")]
            assert not first.presses


async def test_a_hundred_slow_interactions_are_each_deferred_within_a_second(tmp_path: Path) -> None:
    async def slow(_: Any, responder: Responder) -> None:
        await asyncio.sleep(5.0)
        await responder.reply(Reply(text="done"))

    async with discord_bot(tmp_path) as (fake, _bot, router):
        router.on_invoke = slow
        payloads = [await fake.interact(fake.slash("post", {"text": f"post {n}"})) for n in range(100)]
        await fake.wait_until(lambda: all(fake.callbacks(p) for p in payloads), within=10)
        latencies = [fake.callbacks(p)[0].at - fake.dispatched_at(p) for p in payloads]
        assert all(fake.callbacks(p)[0].json["type"] == 5 for p in payloads)
        print(
            f"defer latency over 100: max {max(latencies):.3f} s, median {statistics.median(latencies):.3f} s"
        )
        assert max(latencies) < 1.0, (max(latencies), statistics.median(latencies))
        await fake.wait_until(lambda: all(fake.followups(p) for p in payloads), within=15)


async def test_a_hundred_slow_clicks_are_each_deferred_within_a_second(tmp_path: Path) -> None:
    async def slow(_: Any, responder: Responder) -> None:
        await asyncio.sleep(5.0)

    from adapters.discord.port import Pacer

    async with discord_bot(tmp_path, pacer=Pacer(rate=1000, per=1.0)) as (fake, bot, router):
        router.on_press = slow
        refs = [
            await bot.port.post_card(
                Place(chat="discord", team=GUILD_ID, channel=APPROVALS), approval_card(f"r{n}")
            )
            for n in range(100)
        ]
        payloads = [
            await fake.interact(fake.click(ref.message_id, f"late:approve:r{n}"))
            for n, ref in enumerate(refs)
        ]
        await fake.wait_until(lambda: all(fake.callbacks(p) for p in payloads), within=10)
        latencies = [fake.callbacks(p)[0].at - fake.dispatched_at(p) for p in payloads]
        top, median = max(latencies), statistics.median(latencies)
        print(f"click defer latency over 100: max {top:.3f} s, median {median:.3f} s")
        assert all(fake.callbacks(p)[0].json == {"type": 6} for p in payloads)
        assert max(latencies) < 1.0, (max(latencies), statistics.median(latencies))


# --- attachments ---------------------------------------------------------------------------------


class UploadingRouter(RecordingRouter):
    """A router that takes uploads (as the core does for Slack files)."""

    def __init__(self) -> None:
        super().__init__()
        self.uploads: list[tuple[str, str, int]] = []

    async def upload_media(self, filename: str, content_type: str, data: bytes) -> str:
        self.uploads.append((filename, content_type, len(data)))
        return f"https://media.late.example/{filename}"


async def test_attachments_are_copied_to_late_so_their_links_do_not_expire(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        router = UploadingRouter()
        settings = bot_settings(fake, tmp_path)
        async with running_bot(settings, router, guild_ready_timeout=0.05):  # type: ignore[arg-type]
            attachment = fake.attachment("launch.png")
            payload = await fake.interact(
                fake.slash(
                    "post", {"text": "hi", "media_url": "https://example.com/a.jpg"}, attachment=attachment
                )
            )
            await answered(fake, payload)
            assert router.invocations[0].options == {
                "text": "hi",
                "media": "https://media.late.example/launch.png https://example.com/a.jpg",
            }
            assert router.uploads == [("launch.png", "image/png", 1032)]
            assert [c.path for c in fake.calls if c.path.startswith("/attachments/")] == [
                attachment["url"].split("?")[0].split(str(fake.port))[1]
            ]

            other = fake.attachment("clip.mp4")["url"]
            sub = await fake.interact(
                fake.submit("late:post", {"text": "x", "media": f"{other}\nhttps://b/c.png"})
            )
            await answered(fake, sub)
            assert (
                router.submissions[0].values["media"]
                == "https://media.late.example/clip.mp4\nhttps://b/c.png"
            )


async def test_without_uploads_attachment_links_are_passed_as_they_are(tmp_path: Path) -> None:
    async with discord_bot(tmp_path) as (fake, _bot, router):
        attachment = fake.attachment("launch.png")
        payload = await fake.interact(fake.slash("post", {"text": "hi"}, attachment=attachment))
        await answered(fake, payload)
        assert router.invocations[0].options == {"text": "hi", "media": attachment["url"]}
        assert not [c for c in fake.calls if c.path.startswith("/attachments/")]
