"""The Slack `ChatPort`: cards and notices through the Web API, paced per channel, 429s waited out.

`web_client` builds the one `AsyncWebClient` (base URL `SLACK_API_URL`, one pooled aiohttp session)
with slack_sdk's rate-limit retry handler, which is not on by default: a 429 is retried after its
`Retry-After`, several times, before anything is given up. `Pacer` keeps messages to one channel
in order and under Slack's pace of about one a second (short bursts allowed).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import card_message, reply_message
from bot.errors import UserError
from bot.messages import Card, ChatKind, MessageRef, Place, Reply

log = logging.getLogger("latebot.slack.port")

RATE_LIMIT_RETRIES = 8
NOT_THERE = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}


def web_client(token: str | None, base_url: str, session: aiohttp.ClientSession | None) -> AsyncWebClient:
    return AsyncWebClient(
        token=token,
        base_url=base_url,
        session=session,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ],
    )


class Pacer:
    """At most `rate` messages in `per` seconds to one channel, one at a time and in order."""

    def __init__(self, rate: int = 3, per: float = 3.0) -> None:
        self.rate = rate
        self.per = per
        self._sent: dict[str, collections.deque[float]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    @contextlib.asynccontextmanager
    async def turn(self, channel: str) -> AsyncIterator[None]:
        """Hold the channel for one message (a 429 wait inside holds it too, keeping the order)."""
        lock = self._locks.setdefault(channel, asyncio.Lock())
        async with lock:
            sent = self._sent.setdefault(channel, collections.deque(maxlen=max(self.rate, 1)))
            now = time.monotonic()
            if self.rate > 0 and len(sent) == self.rate and now - sent[0] < self.per:
                await asyncio.sleep(self.per - (now - sent[0]))
            try:
                yield
            finally:
                sent.append(time.monotonic())


def unreachable(channel: str, exc: SlackApiError) -> UserError | None:
    """A Slack refusal the user can fix, in words; None for anything else."""
    error = str(exc.response.get("error", ""))
    if error in NOT_THERE:
        return UserError(
            f"latebot can't post in that channel ({channel}): Slack says {error}. "
            "Invite it with /invite @latebot, or pick another channel."
        )
    return None


class SlackPort:
    chat: ChatKind = "slack"

    def __init__(self, client: AsyncWebClient, pacer: Pacer | None = None) -> None:
        self.client = client
        self.pacer = pacer or Pacer()

    async def post_card(self, place: Place, card: Card) -> MessageRef:
        resp = await self.post(place.channel, card_message(card), thread=place.thread)
        return MessageRef(chat="slack", team=place.team, channel=str(resp.get("channel") or place.channel),
                          message_id=str(resp["ts"]), thread=place.thread)

    async def update_card(self, ref: MessageRef, card: Card) -> None:
        await self.client.chat_update(channel=ref.channel, ts=ref.message_id, **card_message(card))

    async def send(self, place: Place, reply: Reply) -> None:
        await self.post(place.channel, reply_message(reply), thread=place.thread)

    async def check_channel(self, place: Place) -> str:
        """`conversations.info`: the channel exists, is not archived, and latebot is a member."""
        try:
            resp = await self.client.conversations_info(channel=place.channel)
        except SlackApiError as exc:
            error = str(exc.response.get("error", ""))
            if error in ("channel_not_found", "not_in_channel"):
                raise UserError(f"latebot can't see the channel {place.channel}: it does not exist, or it is "
                                "private and latebot is not in it (/invite @latebot there first).") from None
            if error == "missing_scope":
                # Slack names the scope it wanted: groups:read for a private channel.
                needed = str(exc.response.get("needed") or "channels:read")
                raise UserError(f"latebot's Slack app lacks the {needed} scope; reinstall it from "
                                "manifest.yml.") from None
            raise
        channel = resp.get("channel") or {}
        name = str(channel.get("name") or place.channel)
        if channel.get("is_archived"):
            raise UserError(f"#{name} is archived; pick another channel.")
        if not channel.get("is_member") and not channel.get("is_im"):
            raise UserError(f"latebot is not in #{name}: invite it there with /invite @latebot, then try again.")
        return name

    async def post(self, channel: str, message: dict[str, Any], *,
                   thread: str | None = None) -> dict[str, Any]:
        async with self.pacer.turn(channel):
            try:
                resp = await self.client.chat_postMessage(
                    channel=channel, thread_ts=thread, unfurl_links=False, unfurl_media=False, **message
                )
            except SlackApiError as exc:
                raise (unreachable(channel, exc) or exc) from exc
        return dict(resp.data) if isinstance(resp.data, dict) else {}

    async def ephemeral(self, channel: str, user: str, reply: Reply, *, thread: str | None = None) -> None:
        """Only `user` sees it; not paced (the per-channel pace is for visible messages)."""
        message = reply_message(reply)
        await self.client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread, **message)

    async def direct(self, user: str, reply: Reply) -> None:
        """A message in the app's DM with `user` (the last resort for an ephemeral reply)."""
        await self.post(user, reply_message(reply))
