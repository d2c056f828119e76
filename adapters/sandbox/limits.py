"""The 429s Late documents (REFERENCE.md sections 1 and 8), per account and per API key.

Per account: 25 posts an hour, and a daily cap per platform; drafts do not count. Per key: a
sliding minute of requests, 60 for up to 2 connected accounts, else 600, with `Retry-After`.
Per-account answers carry no `Retry-After` (Late documents it for the API limit only) and say the
limit only in words.
"""

from __future__ import annotations

import collections
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from adapters.sandbox.inbound import Refusal
from adapters.sandbox.lengths import display
from bot.clock import iso
from bot.store import Tx

DAILY_CAPS = {"instagram": 100, "facebook": 100, "threads": 250, "twitter": 50, "pinterest": 25}
OTHER_DAILY_CAP = 50


@dataclass
class Limits:
    per_hour: int | None = 25  # posts per account per hour; None: no limit
    daily: bool = True  # the per-platform daily caps
    api_per_minute: bool = False  # the per-key request limit (on in the interactive sandbox)


def check_account(limits: Limits, tx: Tx, account: dict[str, object], now: datetime) -> None:
    """429 when one more post to `account` would pass its hourly or daily limit."""
    account_id, platform = str(account["id"]), str(account["platform"])
    where = f"@{str(account['username']).lstrip('@')} ({platform})"
    details = {"accountId": account_id, "platform": platform}
    if limits.per_hour is not None and _sends(tx, account_id, now - timedelta(hours=1)) >= limits.per_hour:
        raise Refusal(429, f"Account {where} has reached its limit of {limits.per_hour} posts per hour. "
                           "Try again later.", details=details)
    cap = DAILY_CAPS.get(platform, OTHER_DAILY_CAP)
    if limits.daily and _sends(tx, account_id, now - timedelta(days=1)) >= cap:
        raise Refusal(429, f"Account {where} has reached {display(platform)}'s daily limit of {cap} posts. "
                           "Try again tomorrow.", details=details)


def record_send(tx: Tx, account_id: str, now: datetime) -> None:
    tx.execute("INSERT INTO sandbox_sends (account_id, at) VALUES (?, ?)", [account_id, iso(now)])


def _sends(tx: Tx, account_id: str, since: datetime) -> int:
    row = tx.one("SELECT count(*) AS n FROM sandbox_sends WHERE account_id = ? AND at > ?", [account_id, iso(since)])
    return int(row["n"]) if row else 0


class ApiLimit:
    """The per-key sliding minute; `allow` raises the 429 with `Retry-After` when it is used up."""

    def __init__(self) -> None:
        self._seen: collections.deque[float] = collections.deque()

    def headers(self, now: datetime, limit: int) -> dict[str, str]:
        t = now.timestamp()
        reset = (self._seen[0] + 60) if self._seen else t + 60
        return {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(max(0, limit - len(self._seen))),
                "X-RateLimit-Reset": str(math.ceil(reset))}

    def allow(self, now: datetime, limit: int) -> None:
        t = now.timestamp()
        while self._seen and self._seen[0] <= t - 60:
            self._seen.popleft()
        if len(self._seen) >= limit:
            wait = max(1, math.ceil(self._seen[0] + 60 - t))
            refusal = Refusal(429, "Rate limit exceeded", type="rate_limit_error", details={})
            refusal.reply.headers.update({**self.headers(now, limit), "Retry-After": str(wait)})
            raise refusal
        self._seen.append(t)


def api_limit_for(accounts: int) -> int:
    return 60 if accounts <= 2 else 600
