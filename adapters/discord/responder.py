"""The `Responder` of one Discord interaction, under Discord's rules.

The first answer must come within 3 s: a modal (only possible as the first answer), a message, or
a defer. An interaction that cannot answer with a form is deferred at once (`defer_now`:
ephemeral "thinking" for commands and forms, a silent update for buttons). One that may (Reject,
Edit, "Post to social") runs the core first; if it has neither replied nor opened a form after
`grace` seconds, it is deferred then (`start`). Later replies go through the interaction token
(valid 15 minutes) and, once it has expired or is refused, as a channel message that mentions
the user.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING, Any, Literal

import discord

from adapters.discord.forms import OpenForms, form_modal
from adapters.discord.port import DiscordPort, message_kwargs
from adapters.discord.replies import reply_messages
from bot.messages import Form, Place, Reply

if TYPE_CHECKING:
    from collections.abc import Callable

log = logging.getLogger("latebot.discord.responder")

Kind = Literal["command", "component", "modal"]
State = Literal["fresh", "deferred", "answered"]
TOKEN_TTL = 14 * 60.0  # Discord's tokens live 15 minutes; keep a minute in hand
TOO_LATE = "This needed a form, but it could not be opened in time. Please try again."


class InteractionResponder:
    def __init__(
        self,
        interaction: discord.Interaction[Any],
        *,
        kind: Kind,
        port: DiscordPort,
        place: Place,
        forms: OpenForms,
        grace: float = 0.5,
        token_ttl: float = TOKEN_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interaction = interaction
        self.kind = kind
        self.port = port
        self.place = place
        self.forms = forms
        self.grace = grace
        self.token_ttl = token_ttl
        self.clock = clock
        self.started = clock()
        self.state: State = "fresh"
        self.edited_original = False
        self.replied = False
        self._lock = asyncio.Lock()
        self._timer: asyncio.Task[None] | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Defer after `grace` seconds unless the core has answered by then (with a form, say)."""
        self._timer = asyncio.create_task(self._defer_later(), name=f"defer-{self.interaction.id}")

    async def defer_now(self) -> None:
        """The first answer, at once: for an interaction that will not answer with a form."""
        async with self._lock:
            if self.state != "fresh":
                return
            try:
                await self._defer()
            except discord.HTTPException as exc:
                # Answered already (a replayed delivery) or too late: later replies go by followup,
                # and where the token is refused too, to the channel.
                log.warning("interaction %s: the defer was refused (%s)", self.interaction.id, exc.status)
                self.state = "answered"

    async def _defer_later(self) -> None:
        await asyncio.sleep(self.grace)
        async with self._lock:
            if self.state == "fresh":
                await self._defer()

    async def _defer(self) -> None:
        if self.kind == "component":
            await self.interaction.response.defer()
        else:
            await self.interaction.response.defer(ephemeral=True, thinking=True)
        self.state = "deferred"

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()

    async def finish(self) -> None:
        """Close the interaction: acknowledge it if nothing was said, end a 'thinking' state."""
        if self._timer is not None:
            self._timer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._timer
        async with self._lock:
            if self.expired():
                return
            with contextlib.suppress(discord.HTTPException):
                if self.state == "fresh":
                    if self.kind == "component":
                        await self.interaction.response.defer()
                    else:
                        await self.interaction.response.send_message("Done.", ephemeral=True)
                    self.state = "answered"
                elif self.state == "deferred" and self.kind != "component" and not self.replied:
                    await self.interaction.edit_original_response(content="Done.")

    def expired(self) -> bool:
        return self.clock() - self.started > self.token_ttl

    # --- Responder ---------------------------------------------------------------------------

    async def reply(self, reply: Reply) -> None:
        async with self._lock:
            if self.expired():
                await self._in_channel(reply)
                return
            try:
                await self._reply(reply)
            except (discord.NotFound, discord.Forbidden) as exc:
                log.warning(
                    "interaction %s: reply refused (%s); posting in the channel",
                    self.interaction.id,
                    exc.status,
                )
                await self._in_channel(reply)
            except discord.HTTPException as exc:
                if exc.status != 401:
                    raise
                await self._in_channel(reply)
            self.replied = True

    async def open_form(self, form: Form) -> None:
        async with self._lock:
            if self.state != "fresh" or self.expired():
                log.warning(
                    "interaction %s: form %s came after the first answer", self.interaction.id, form.id
                )
                await self._reply(Reply(text=TOO_LATE))
                return
            modal = form_modal(form)
            self.forms.put(str(self.interaction.user.id), form)
            await self.interaction.response.send_modal(modal)
            modal.stop()  # submissions are handled from their custom_id (see client.py), not by this object
            self.state = "answered"

    # --- sending -----------------------------------------------------------------------------

    async def _reply(self, reply: Reply) -> None:
        messages = reply_messages(reply)
        ephemeral = reply.ephemeral
        first, rest = messages[0], messages[1:]
        if self.state == "fresh":
            await self.interaction.response.send_message(**message_kwargs(first), ephemeral=ephemeral)
            self.state = "answered"
        elif self.state == "deferred" and self.kind != "component" and not self.edited_original:
            # The "thinking" message is ephemeral: edit it, or replace it when the reply is public.
            self.edited_original = True
            if ephemeral:
                kwargs = message_kwargs(first)
                await self.interaction.edit_original_response(**kwargs)
            else:
                await self.interaction.delete_original_response()
                await self._followup(first, ephemeral=False)
        else:
            await self._followup(first, ephemeral=ephemeral)
        for message in rest:
            await self._followup(message, ephemeral=ephemeral)

    async def _followup(self, message: Any, *, ephemeral: bool) -> None:
        await self.interaction.followup.send(**message_kwargs(message), ephemeral=ephemeral, wait=True)

    async def _in_channel(self, reply: Reply) -> None:
        """The token is gone: say it in the channel, to the user."""
        mention = reply.mention or str(self.interaction.user.id)
        await self.port.send(self.place, reply.model_copy(update={"mention": mention, "ephemeral": False}))
