"""Slack payloads -> neutral types: who acted, where, and what they asked for.

Every delivery is identified by its `trigger_id` (one per slash command, click, shortcut and
submission; a retry of the same delivery carries the same one), which the core dedupes on.
A modal remembers where it was opened in its `private_metadata` (`Origin`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import parse_qs

from adapters.slack.forms import submitted_values
from adapters.slack.text import command_text, emojize
from bot.messages import Actor, ButtonPress, FormSubmission, Invocation, MessageRef, Place
from bot.refs import parse_custom_id

Payload = dict[str, Any]
PROSE_FIELDS = ("text", "title", "first_comment", "reason")


@dataclass(frozen=True)
class Who:
    """The acting user as the payload names them (before `users.info` adds zone and role)."""

    team: str
    user: str
    name: str


@dataclass(frozen=True)
class Origin:
    """Where a modal was opened from; kept in the view's `private_metadata`."""

    team: str
    channel: str
    thread: str | None = None
    response_url: str | None = None
    upload: str | None = None

    def dump(self) -> str:
        return json.dumps({k: v for k, v in asdict(self).items() if v}, separators=(",", ":"))

    @classmethod
    def load(cls, raw: str | None) -> Origin | None:
        try:
            data = json.loads(raw or "")
        except ValueError:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("channel"), str):
            return None
        def opt(key: str) -> str | None:
            value = data.get(key)
            return str(value) if value else None

        return cls(team=str(data.get("team") or ""), channel=data["channel"], thread=opt("thread"),
                   response_url=opt("response_url"), upload=opt("upload"))

    @property
    def place(self) -> Place:
        return Place(chat="slack", team=self.team, channel=self.channel, thread=self.thread)


def delivery_id(body: Payload) -> str | None:
    trigger = body.get("trigger_id")
    return f"slack:{trigger}" if trigger else None


def who(body: Payload) -> Who:
    """The user of a slash command (flat form fields) or of an interaction (`user` object)."""
    if "user_id" in body:
        return Who(team=str(body.get("team_id", "")), user=str(body["user_id"]),
                   name=str(body.get("user_name", "")))
    user = body.get("user") or {}
    team = (body.get("team") or {}).get("id") or user.get("team_id") or ""
    name = user.get("name") or user.get("username") or user.get("id", "")
    return Who(team=str(team), user=str(user.get("id", "")), name=str(name))


def place_of(body: Payload) -> Place:
    """The channel a command, click or shortcut happened in."""
    w = who(body)
    if "channel_id" in body:
        return Place(chat="slack", team=w.team, channel=str(body["channel_id"]))
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id") or w.user
    return Place(chat="slack", team=w.team, channel=str(channel))


def is_bare_post(text: str) -> bool:
    """`/late post` with nothing else: the user wants the form."""
    return text.strip().lower() == "post"


def invocation(body: Payload, actor: Actor, names: dict[str, str] | None = None) -> Invocation:
    """`names`: display names of users the text mentions without one (`users.info`)."""
    return Invocation(
        actor=actor,
        place=place_of(body),
        text=command_text(str(body.get("text", "")), (names or {}).get).strip(),
        delivery_id=delivery_id(body),
    )


def clicked(body: Payload) -> tuple[str, str] | None:
    """The action and ref of the clicked latebot button: its action id is `late:<action>:<ref>`, or
    `late:<action>` when the ref is too long for one (`blocks.button_elements`); the ref is also
    the button's value. None for anything else, link buttons included (Slack reports their clicks too)."""
    actions = body.get("actions") or []
    if not actions or not isinstance(actions, list) or not isinstance(actions[0], dict):
        return None
    action = actions[0]
    action_id = str(action.get("action_id", ""))
    parsed = parse_custom_id(action_id)
    parts = action_id.split(":")
    name = parsed[0] if parsed else parts[1] if len(parts) >= 2 and parts[1] else ""
    ref = str(action.get("value") or (parsed[1] if parsed else ""))
    if not name or name == "link" or not ref:
        return None
    return name, ref


def press(body: Payload, actor: Actor) -> ButtonPress | None:
    """The clicked latebot button (`clicked`) as a press by `actor`."""
    button = clicked(body)
    if button is None:
        return None
    name, ref = button
    place = place_of(body)
    container = body.get("container") or {}
    message = body.get("message") or {}
    message_ref = None
    ts = container.get("message_ts") or message.get("ts")
    if ts:
        thread = message.get("thread_ts")
        message_ref = MessageRef(chat="slack", team=place.team, channel=place.channel, message_id=str(ts),
                         thread=str(thread) if thread and thread != ts else None)
    return ButtonPress(actor=actor, place=place, action=name, ref=ref, message=message_ref,
                       delivery_id=delivery_id(body))


def submission(body: Payload, actor: Actor, origin: Origin | None,
               extra: dict[str, list[str]] | None = None) -> FormSubmission:
    """A submitted modal, opened from `origin` (its `private_metadata`, read once by the handler);
    `extra` appends values that are not in it yet (media uploaded after the modal opened)."""
    view = body.get("view") or {}
    place = origin.place if origin else Place(chat="slack", team=who(body).team, channel=actor.id)
    values = submitted_values(view.get("state") or {})
    for key in PROSE_FIELDS:
        # Typed in Slack, `:rocket:` means the emoji there too.
        value = values.get(key)
        if isinstance(value, str):
            values[key] = emojize(value)
    for key, more in (extra or {}).items():
        current = values.get(key, "")
        items = current if isinstance(current, list) else [v for v in current.splitlines() if v.strip()]
        have = {v.strip() for item in items for v in item.split(",")}
        values[key] = "\n".join([*items, *(v for v in more if v not in have)])
    return FormSubmission(actor=actor, place=place, form_id=str(view.get("callback_id", "")), values=values,
                          delivery_id=delivery_id(body))


@dataclass(frozen=True)
class SharedFile:
    id: str
    name: str
    mimetype: str


def shortcut_message(body: Payload) -> tuple[str, list[SharedFile]]:
    """The text and files of the message a "Post to social" shortcut was used on."""
    message = body.get("message") or {}
    files = [
        SharedFile(id=str(f["id"]), name=str(f.get("name") or f["id"]), mimetype=str(f.get("mimetype", "")))
        for f in message.get("files") or []
        if f.get("id") and f.get("mode") != "tombstone"
    ]
    return str(message.get("text") or ""), files


def malformed(body: bytes, content_type: str) -> str | None:
    """Why an HTTP-mode body is not a payload Slack sends (None when it is one): Bolt would fail on
    it with a traceback. Slash commands are plain form fields; interactions carry `payload=<JSON>`."""
    text = body.decode("utf-8", "replace")
    if content_type.startswith("application/json"):
        try:
            data: Any = json.loads(text)
        except ValueError:
            return "the JSON body does not parse"
        return None if isinstance(data, dict) else "the JSON body is not an object"
    form = parse_qs(text, keep_blank_values=True)
    if "payload" not in form:
        return None
    raw = form["payload"][0]
    if not raw.strip():
        return "the payload is empty"
    try:
        payload = json.loads(raw)
    except ValueError:
        return "the payload is not JSON"
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
        return "the payload is not an object with a type"
    kind = payload["type"]
    if kind == "block_actions":
        actions = payload.get("actions")
        if not isinstance(actions, list) or not actions or not all(isinstance(a, dict) for a in actions):
            return "block_actions without a list of actions"
    if kind in ("view_submission", "view_closed") and not isinstance(payload.get("view"), dict):
        return f"{kind} without a view"
    for key in ("user", "team", "channel", "container", "message"):
        if key in payload and payload[key] is not None and not isinstance(payload[key], dict):
            return f"its {key} is not an object"
    return None
