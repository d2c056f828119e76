"""Neutral message types: what adapters translate chat payloads into, and render out of.

Incoming: `Invocation` (a command), `ButtonPress`, `FormSubmission`.
Outgoing: `Card` (fields, per-platform previews and `Button`s), `Reply`, `Form` (a modal).
Buttons carry only an action and a request id; all state lives in SQLite.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ChatKind = Literal["slack", "discord", "console"]
BUTTON_PREFIX = "late"


class Actor(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    # Slack user group ids or Discord role ids the actor belongs to, when the adapter knows them.
    groups: tuple[str, ...] = ()
    is_admin: bool = False
    timezone: str | None = None


class Place(BaseModel):
    """Where something happened or goes: a channel (and thread) of one chat workspace."""

    model_config = ConfigDict(frozen=True)

    chat: ChatKind
    team: str = ""
    channel: str
    thread: str | None = None


class MessageRef(BaseModel):
    """A message we posted, so that it can be updated in place."""

    model_config = ConfigDict(frozen=True)

    chat: ChatKind
    team: str = ""
    channel: str
    message_id: str
    thread: str | None = None


class Invocation(BaseModel):
    actor: Actor
    place: Place
    # The command text after `/late`, e.g. 'post "Hi" to x now'.
    text: str = ""
    # Typed options (Discord slash commands); `command` is then the subcommand name.
    command: str | None = None
    options: dict[str, str] | None = None
    # A unique id of this delivery (Slack trigger_id, Discord interaction id) for dedupe.
    delivery_id: str | None = None


class ButtonPress(BaseModel):
    actor: Actor
    place: Place
    action: str
    request_id: str
    message: MessageRef | None = None
    delivery_id: str | None = None


class FormSubmission(BaseModel):
    actor: Actor
    place: Place
    # The form's id: `late:post`, `late:reject:<request id>`, `late:edit:<request id>`.
    form_id: str
    values: dict[str, str | list[str]] = Field(default_factory=dict)
    delivery_id: str | None = None


def custom_id(action: str, request_id: str) -> str:
    return f"{BUTTON_PREFIX}:{action}:{request_id}"


def parse_custom_id(value: str) -> tuple[str, str] | None:
    """`late:approve:r1` -> ('approve', 'r1'); anything else -> None."""
    parts = value.split(":", 2)
    if len(parts) != 3 or parts[0] != BUTTON_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


class Button(BaseModel):
    label: str
    action: str
    request_id: str
    style: Literal["primary", "danger", "default"] = "default"

    @property
    def custom_id(self) -> str:
        return custom_id(self.action, self.request_id)


class CardField(BaseModel):
    title: str
    value: str
    inline: bool = False


class Preview(BaseModel):
    """How the post will look on one account: its parts (a thread has several) and their length."""

    platform: str
    platform_name: str
    account: str
    parts: list[str]
    count: int
    limit: int | None = None


Tone = Literal["pending", "success", "warning", "danger", "neutral"]


class Card(BaseModel):
    title: str
    text: str = ""
    previews: list[Preview] = Field(default_factory=list)
    fields: list[CardField] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    buttons: list[Button] = Field(default_factory=list)
    footer: str = ""
    tone: Tone = "neutral"


class Reply(BaseModel):
    text: str
    # Ephemeral where the platform allows (Slack, Discord); the console prints everything.
    ephemeral: bool = True
    # A user id to mention (the only mention a reply may carry; echoed text never pings).
    mention: str | None = None
    # A card shown with the reply (e.g. `/late show`), rendered like an approval card.
    card: Card | None = None


class FormField(BaseModel):
    id: str
    label: str
    kind: Literal["text", "textarea", "select", "multiselect", "datetime"] = "text"
    value: str | list[str] | None = None
    options: list[tuple[str, str]] = Field(default_factory=list)  # (value, label)
    required: bool = False
    placeholder: str = ""
    hint: str = ""
    max_length: int | None = None


class Form(BaseModel):
    id: str
    title: str
    fields: list[FormField]
    submit: str = "Submit"
