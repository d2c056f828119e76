"""The ports of the core.

Driving port: `BotPort`, the one interface every chat adapter calls (implemented by
`commands.router.Router`, wired in `adapters/cli.py`).

Driven ports, implemented by each chat adapter: `ChatPort` (post and update cards, tell a channel)
and `Responder` (answer the user of one interaction).
"""

from __future__ import annotations

from typing import Protocol

from bot.messages import (
    Actor,
    ButtonPress,
    Card,
    ChatKind,
    Form,
    FormSubmission,
    Invocation,
    MediaUpload,
    MessageRef,
    Place,
    Reply,
)


class Responder(Protocol):
    """Answers one interaction (command, click, form): to the acting user."""

    async def reply(self, reply: Reply) -> None:
        """Tell the acting user something; ephemeral where the platform allows."""
        ...

    async def open_form(self, form: Form) -> None:
        """Open a modal (Slack view, Discord modal, console prompts)."""
        ...


class ChatPort(Protocol):
    """One chat platform's outgoing side: cards and channel messages."""

    @property
    def chat(self) -> ChatKind: ...

    async def post_card(self, place: Place, card: Card) -> MessageRef:
        """Post a card as a message of its own in `place` (in its thread when `place.thread`)."""
        ...

    async def update_card(self, ref: MessageRef, card: Card) -> None:
        """Replace a posted card in place."""
        ...

    async def send(self, place: Place, reply: Reply) -> None:
        """Post a visible message in a channel or thread (e.g. tell the requester)."""
        ...

    async def check_channel(self, place: Place) -> str:
        """The channel's name, when it exists and latebot may post cards there; else a UserError
        saying what to do (invite the bot, pick another channel)."""
        ...


class BotPort(Protocol):
    """Everything a chat adapter asks of latebot. Adapters acknowledge the platform first, then call."""

    def register(self, port: ChatPort) -> None:
        """Make the adapter's outgoing side known to the core (cards, notices, alerts)."""
        ...

    async def invoke(self, inv: Invocation, responder: Responder) -> None:
        """A `/late ...` command, as text or typed options."""
        ...

    async def press(self, press: ButtonPress, responder: Responder) -> None:
        """A button on one of latebot's cards."""
        ...

    def may_open_form(self, action: str) -> bool:
        """Whether pressing a button with this action may answer with a form (Reject, Edit). A
        platform that takes a form only as the first answer (Discord) must not defer those presses;
        every other one it can acknowledge at once."""
        ...

    async def submit(self, sub: FormSubmission, responder: Responder) -> None:
        """A submitted form."""
        ...

    async def post_form(
        self, place: Place, actor: Actor, *, text: str = "", media: list[str] | None = None
    ) -> Form:
        """The new-post form, prefilled; instant (no Late call), for Slack's 3 s trigger."""
        ...

    async def autocomplete(self, inv: Invocation, option: str, value: str) -> list[tuple[str, str]]:
        """(label, value) choices for a typed option being written."""
        ...

    @property
    def max_upload_bytes(self) -> int:
        """The largest file `upload_media` takes: adapters refuse bigger ones before downloading."""
        ...

    async def upload_media(self, upload: MediaUpload) -> str:
        """Put a chat attachment on Late's media storage; returns the URL the post will use. Every
        failure is a `UserError` with a redacted text (`UploadFailed` when it was Late's, not the file's)."""
        ...
