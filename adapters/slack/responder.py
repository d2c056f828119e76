"""The `Responder` of one Slack interaction (command, click, shortcut, modal submission).

`reply` is ephemeral: `chat.postEphemeral` to the user in the channel; where the bot can't post
(not a member, a DM between people) the interaction's `response_url` (30 minutes, 5 uses); as a
last resort a DM from the app. `open_form` calls `views.open` with the interaction's `trigger_id`,
which Slack honours for 3 seconds after the click.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

import aiohttp
from slack_sdk.errors import SlackApiError

from adapters.slack.blocks import reply_message
from adapters.slack.forms import form_view
from adapters.slack.port import SlackPort
from adapters.slack.translate import Origin
from bot.messages import Form, Place, Reply

log = logging.getLogger("latebot.slack.responder")

TRIGGER_TTL = 3.0
RESPONSE_URL_TTL = 30 * 60.0
RESPONSE_URL_USES = 5
TOO_LATE = "Slack allows 3 seconds to open a form after a click, and that passed. Please try again."


class SlackResponder:
    def __init__(
        self,
        port: SlackPort,
        session: aiohttp.ClientSession,
        *,
        user: str,
        place: Place,
        trigger_id: str | None = None,
        response_url: str | None = None,
        received: float | None = None,
        origin: Origin | None = None,
    ) -> None:
        self.port = port
        self.session = session
        self.user = user
        self.place = place
        self.trigger_id = trigger_id
        self.response_url = response_url
        self.received = time.monotonic() if received is None else received
        self.origin = origin or Origin(team=place.team, channel=place.channel, thread=place.thread,
                                       response_url=response_url)
        self.url_uses = 0
        self.view_id: str | None = None
        self.replies: list[Reply] = []

    async def reply(self, reply: Reply) -> None:
        self.replies.append(reply)
        if not reply.ephemeral:
            await self.port.send(self.place, reply)
            return
        try:
            await self.port.ephemeral(self.place.channel, self.user, reply, thread=self.place.thread)
            return
        except SlackApiError as exc:
            log.info("chat.postEphemeral in %s refused (%s)", self.place.channel, exc.response.get("error"))
        if await self._by_response_url(reply):
            return
        await self.port.direct(self.user, reply)

    async def _by_response_url(self, reply: Reply) -> bool:
        url = self.response_url
        fresh = time.monotonic() - self.received < RESPONSE_URL_TTL
        if not url or not fresh or self.url_uses >= RESPONSE_URL_USES:
            return False
        self.url_uses += 1
        body = {"response_type": "ephemeral", "replace_original": False, **reply_message(reply)}
        try:
            async with self.session.post(url, json=body) as resp:
                if resp.status == 200:
                    return True
                log.info("response_url refused the reply (%s)", resp.status)
        except aiohttp.ClientError as exc:
            log.info("response_url failed: %r", exc)
        return False

    async def open_form(self, form: Form, *, notes: Sequence[str] = ()) -> None:
        if not self.trigger_id or time.monotonic() - self.received > TRIGGER_TTL:
            log.warning("form %s came after Slack's 3 s for trigger %s", form.id, self.trigger_id)
            await self.reply(Reply(text=TOO_LATE))
            return
        view = form_view(form, metadata=self.origin.dump(), notes=notes)
        try:
            resp = await self.port.client.views_open(trigger_id=self.trigger_id, view=view)
        except SlackApiError as exc:
            if exc.response.get("error") not in ("expired_trigger_id", "invalid_trigger_id"):
                raise
            await self.reply(Reply(text=TOO_LATE))
            return
        self.view_id = str((resp.get("view") or {}).get("id") or "") or None
