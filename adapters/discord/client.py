"""`LateBot`: a discord.py client that hands every interaction to the driving port, and answers in time.

The gateway URL discord.py connects to is moved to `DISCORD_GATEWAY_URL` (or the one
`GET /gateway/bot` announces when the API base is not Discord's), so that it can be a proxy or a fake.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import discord
import yarl
from discord import app_commands

from adapters.discord import commands, translate
from adapters.discord.buttons import LateButton
from adapters.discord.forms import OpenForms, submitted_values
from adapters.discord.media import Attachments
from adapters.discord.port import DiscordPort
from adapters.discord.responder import TOKEN_TTL, InteractionResponder, Kind
from adapters.lane import STOPPED, Lane
from bot.errors import describe
from bot.messages import Reply
from bot.ports import BotPort
from bot.refs import BUTTON_PREFIX
from bot.settings import Settings
from commands.text import readable

log = logging.getLogger("latebot.discord")

DISCORD_API = "https://discord.com/api/v10"
AUTOCOMPLETE_TIMEOUT = 2.5  # Discord drops autocomplete answers after 3 s
GRACE = 2.0  # seconds queued and running work may take to finish when the bot stops


SHUTDOWN_GRACE = 5.0

# The gateway socket's receive buffer. A burst of interactions arrives faster than the loop reads
# while it defers them, and Linux starts a socket with a ~64 KB window that it will not reopen while
# less than one segment is free: on loopback a segment is 64 KB, so the window stays shut until the
# sender's persist timer fires, 200 ms later (the fake Discord's socket was receive-window limited
# for 208 ms in a burst benchmark round). A fixed 1 MiB (capped by net.core.rmem_max) keeps it open.
GATEWAY_RECEIVE_BUFFER = 1 << 20


class LateBot(discord.Client):
    def __init__(
        self,
        settings: Settings,
        bot: BotPort,
        *,
        press_grace: float = 1.5,
        token_ttl: float = TOKEN_TTL,
        guild_ready_timeout: float = 2.0,
        autocomplete_timeout: float = AUTOCOMPLETE_TIMEOUT,
    ) -> None:
        super().__init__(
            intents=discord.Intents.default(),  # no privileged intent is needed
            allowed_mentions=discord.AllowedMentions.none(),
            max_ratelimit_timeout=60.0,
            guild_ready_timeout=guild_ready_timeout,
        )
        self.settings = settings
        self.bot = bot
        # Everything is deferred at once, except what may answer with a modal (Reject, Edit, the
        # message menu), which Discord only accepts as the first answer: the core gets this long.
        self.press_grace = press_grace
        self.token_ttl = token_ttl
        self.autocomplete_timeout = autocomplete_timeout
        self.tree: app_commands.CommandTree[LateBot] = app_commands.CommandTree(self)
        self.port = DiscordPort(self)
        self.forms = OpenForms()
        self.attachments = Attachments(bot, api_base=settings.DISCORD_API_BASE)
        self.inflight: set[asyncio.Task[Any]] = set()  # work that may open a form, run at once
        self.lane = Lane("discord")  # the rest, after its defer
        self.gateway: str | None = settings.DISCORD_GATEWAY_URL
        self.synced: list[app_commands.AppCommand] = []
        # The task running `start()` (set by `service.running_bot`): it ends when the bot stops for good.
        self.runner: asyncio.Task[None] | None = None
        commands.install(self.tree)
        connect = self.http.ws_connect

        async def ws_connect(url: str, *, compress: int = 0) -> Any:
            ws = await connect(self.gateway_url(url), compress=compress)
            roomy(ws.get_extra_info("socket"))
            return ws

        setattr(self.http, "ws_connect", ws_connect)  # noqa: B010 (an instance override of a method)

    def gateway_url(self, url: str) -> str:
        """discord.py's gateway URL (with its query) moved to the configured gateway."""
        if not self.gateway:
            return url
        return str(yarl.URL(self.gateway).with_query(yarl.URL(url).query))

    async def setup_hook(self) -> None:
        self.add_dynamic_items(LateButton)
        self.bot.register(self.port)
        self.lane.start()
        if self.gateway is None and self.settings.DISCORD_API_BASE.rstrip("/") != DISCORD_API:
            _, self.gateway, _ = await self.http.get_bot_gateway()
        guild_id = self.settings.DISCORD_GUILD_ID
        if guild_id:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            self.synced = await self.tree.sync(guild=guild)
        else:
            self.synced = await self.tree.sync()
        log.info(
            "synced %d application commands %s",
            len(self.synced),
            f"to guild {guild_id}" if guild_id else "globally",
        )

    # --- interactions -----------------------------------------------------------------------

    async def _answer(
        self,
        interaction: discord.Interaction[Any],
        kind: Kind,
        work: Callable[[InteractionResponder], Awaitable[None]],
        *,
        may_open_form: bool = False,
    ) -> None:
        self.lane.acked()
        responder = InteractionResponder(
            interaction,
            kind=kind,
            port=self.port,
            place=translate.place_of(interaction),
            forms=self.forms,
            grace=self.press_grace,
            token_ttl=self.token_ttl,
        )
        if may_open_form:
            responder.start()
            task = asyncio.current_task()
            if task is not None:
                self.inflight.add(task)
            try:
                await self._work(responder, work)
            finally:
                if task is not None:
                    self.inflight.discard(task)
            return
        await responder.defer_now()
        name = f"discord-{kind}-{interaction.id}"
        job = functools.partial(self._work, responder, work)
        stopped = functools.partial(responder.reply, Reply(text=STOPPED))
        if not self.lane.offer(name, job, stopped):
            # Deferred already, so Discord waits 15 minutes for the answer: wait for room here.
            log.warning("Discord: the work lane is full (%d waiting); %s waits for room", self.lane.waiting, name)
            await self.lane.put(name, job, stopped)

    async def _work(self, responder: InteractionResponder,
                    work: Callable[[InteractionResponder], Awaitable[None]]) -> None:
        try:
            await work(responder)
        except asyncio.CancelledError:
            responder.stop()
            raise
        except Exception as exc:
            text = describe(exc, logger=log)
            with contextlib.suppress(Exception):
                await responder.reply(Reply(text=text))
        await responder.finish()

    async def close(self) -> None:
        """Stop: queued and running work gets a few seconds to finish (an approval being published);
        what is left is cancelled (its state is in SQLite; a request cut off while `publishing` is
        reconciled) and what never started is reported to its user as not done."""
        await self.lane.close(GRACE)
        pending = [t for t in self.inflight if not t.done() and t is not asyncio.current_task()]
        if pending:
            _, late = await asyncio.wait(pending, timeout=SHUTDOWN_GRACE)
            for t in late:
                t.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        await self.attachments.close()
        await super().close()

    async def handle_command(
        self, interaction: discord.Interaction[Any], command: str, options: dict[str, str]
    ) -> None:
        async def work(responder: InteractionResponder) -> None:
            if "media" in options:
                options["media"] = await self.attachments.durable(options["media"])
            named = await translate.labelled_options(interaction, options)
            await self.bot.invoke(translate.invocation(interaction, command, named), responder)

        await self._answer(interaction, "command", work)

    async def handle_press(self, interaction: discord.Interaction[Any], action: str, ref: str) -> None:
        press = translate.press(interaction, action, ref)
        await self._answer(interaction, "component", lambda r: self.bot.press(press, r),
                           may_open_form=self.bot.may_open_form(action))

    async def handle_submit(self, interaction: discord.Interaction[Any], form_id: str) -> None:
        data: dict[str, Any] = dict(interaction.data or {})
        form = self.forms.pop(str(interaction.user.id), form_id)
        values = submitted_values(list(data.get("components", [])), form)

        async def work(responder: InteractionResponder) -> None:
            media = values.get("media")
            if isinstance(media, str):
                values["media"] = await self.attachments.durable(media)
            await self.bot.submit(translate.submission(interaction, form_id, values), responder)

        await self._answer(interaction, "modal", work)

    async def handle_autocomplete(
        self, interaction: discord.Interaction[Any], command: str, option: str, value: str
    ) -> list[app_commands.Choice[str]]:
        names = ("text", "to", "when", "tz", "mode", "profile")
        inv = translate.invocation(interaction, command, translate.options_of(interaction.namespace, names))
        try:
            found = await asyncio.wait_for(self.bot.autocomplete(inv, option, value), self.autocomplete_timeout)
        except TimeoutError:
            log.warning("autocomplete for %s took too long", option)
            return []
        return [
            app_commands.Choice(name=label[:100] or value[:100] or "-", value=val[:100])
            for label, val in found[:25]
        ]

    async def handle_context_menu(
        self, interaction: discord.Interaction[Any], message: discord.Message
    ) -> None:
        """The "Post to social" menu: the new-post form, prefilled with the message and its attachments."""
        media = [a.url for a in message.attachments]

        async def work(responder: InteractionResponder) -> None:
            # The modal must be the first answer, before the responder defers (`press_grace`): the
            # mentioned members are looked up meanwhile, for half of it; a slower one keeps its id.
            # A form later than that is told as too late (`InteractionResponder.open_form`).
            place, actor = translate.place_of(interaction), translate.actor_of(interaction)
            names = await translate.labelled(interaction.guild, message.content, within=self.press_grace / 2)
            await responder.open_form(await self.bot.post_form(place, actor, text=readable(names), media=media))

        await self._answer(interaction, "command", work, may_open_form=True)

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        # Modal submissions are handled from their custom_id (the form id), so they work after a restart.
        if interaction.type is discord.InteractionType.modal_submit:
            data: dict[str, Any] = dict(interaction.data or {})
            custom_id = str(data.get("custom_id", ""))
            if custom_id.startswith(f"{BUTTON_PREFIX}:"):
                await self.handle_submit(interaction, custom_id)


def roomy(sock: socket.socket | None) -> None:
    """Give the gateway socket its own receive buffer (`GATEWAY_RECEIVE_BUFFER`)."""
    if sock is None:
        return
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, GATEWAY_RECEIVE_BUFFER)
    except OSError as exc:  # the bot works without it, only a burst may wait
        log.warning("could not enlarge the gateway socket's receive buffer: %s", exc)
