"""Neutral message types: what adapters translate chat payloads into, and render out of.

Incoming: `Invocation` (a command), `ButtonPress`, `FormSubmission`, `MediaUpload`.
Outgoing: `Card` (sections, fields, notes and `Button`s), `Reply`, `Form` (a modal).

A button carries an action and a reference (for approvals `<request id>:<revision>`), nothing else:
all state lives in the store. A button with a `url` is a link button and carries no action.
"""

from __future__ import annotations

from collections.abc import AsyncIterable
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.refs import custom_id

ChatKind = Literal["slack", "discord", "console"]


class Actor(BaseModel):
    """Who acted. `id` is the platform's stable user id; `name` is only ever for display."""

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
    ref: str
    message: MessageRef | None = None
    delivery_id: str | None = None


class FormSubmission(BaseModel):
    actor: Actor
    place: Place
    # The form's id: `late:post`, `late:reject:<ref>`, `late:edit:<ref>`.
    form_id: str
    values: dict[str, str | list[str]] = Field(default_factory=dict)
    delivery_id: str | None = None


@dataclass(frozen=True)
class MediaUpload:
    """A file a user attached in chat, streamed from the chat to Late as the adapter downloads it.

    `size` is the file's declared size (Late's storage needs it up front); `chunks` is read once.
    """

    filename: str
    content_type: str
    size: int | None
    chunks: AsyncIterable[bytes]


ButtonStyle = Literal["primary", "danger", "default"]


class Button(BaseModel):
    """An action button (`action` + `ref`), or a link button (`url`), never both."""

    label: str
    action: str = ""
    ref: str = ""
    style: ButtonStyle = "default"
    url: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Button:
        if self.url is None and not (self.action and self.ref):
            raise ValueError("a button needs an action and a ref, or a url")
        if self.url is not None and self.action:
            raise ValueError("a link button has no action")
        return self

    @property
    def is_link(self) -> bool:
        return self.url is not None

    @property
    def custom_id(self) -> str:
        return custom_id(self.action, self.ref)


class CardField(BaseModel):
    title: str
    value: str
    inline: bool = False


class Section(BaseModel):
    """A titled block of a card. `parts` are user text shown verbatim (one block each: a thread
    has several); `text` is latebot's own prose."""

    title: str = ""
    text: str = ""
    parts: list[str] = Field(default_factory=list)
    # Set when the section's heading warns (e.g. a text over the platform's limit).
    alert: bool = False


Tone = Literal["pending", "success", "warning", "danger", "neutral"]


class Card(BaseModel):
    title: str
    text: str = ""
    sections: list[Section] = Field(default_factory=list)
    fields: list[CardField] = Field(default_factory=list)
    # Things to check (warnings), shown together under one heading.
    notes: list[str] = Field(default_factory=list)
    notes_title: str = "Check before approving"
    buttons: list[Button] = Field(default_factory=list)
    footer: str = ""
    tone: Tone = "neutral"


class Reply(BaseModel):
    text: str
    # Ephemeral where the platform allows (Slack, Discord); the console prints everything.
    ephemeral: bool = True
    # A user id to mention (the only mention a reply may carry; echoed text never pings).
    mention: str | None = None
    # A card shown with the reply (e.g. `/late show`).
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
