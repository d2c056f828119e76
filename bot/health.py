"""The account health monitor: a service that asks Late for every account's health, compares each
account with what latebot last saw, and alerts on transitions, never on states.

An alert goes out when an account gains a problem (to warning, to error, `needsReconnect`, `canPost`
lost), when its token comes within 7 days of expiring and again within 1 day (once each per token),
and a short "healthy again" when it has none left; identical polls say nothing. When the health call
itself fails nothing is reported healthy; after `FAILS` failures in a row one "health check failing"
alert, and one "works again" when it recovers. Webhooks about accounts (`observe`) go through the
same comparison, so the next poll does not repeat what a webhook already said.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.alert import Alert
from bot.alerts import Alerts
from bot.clock import Clock, describe_time
from bot.directory import Directory
from bot.errors import LateAuthError, LateError, LateNoAnswer
from bot.healthbook import AccountState, CheckState, HealthBook, NewAlert
from bot.late.account import AccountHealth
from bot.platforms import account_label
from bot.risks import Risks

log = logging.getLogger("latebot.health")

FAILS = 3
SOON, SOONER = timedelta(days=7), timedelta(days=1)
WORDS = {"reconnect": "needs reconnecting", "error": "has an error on Late", "cannot_post": "can't post",
         "warning": "has a warning on Late"}


@dataclass(frozen=True)
class Change:
    gained: frozenset[str]  # problems the account did not have before
    expiry: int | None = None  # 7 or 1: the token expiry warning due now
    recovered: bool = False


def state_of(entry: AccountHealth, now: datetime) -> AccountState:
    return AccountState(
        account_id=entry.account_id, profile_id=entry.profile_id, platform=entry.platform or "?",
        username=entry.username or "", status=entry.status or "healthy", can_post=entry.can_post is not False,
        needs_reconnect=entry.needs_reconnect, token_expires_at=entry.token_expires_at, issues=list(entry.issues),
        seen_at=now,
    )


def judge(old: AccountState | None, new: AccountState, now: datetime) -> tuple[AccountState, Change | None]:
    """`new` with the expiry warnings carried over from `old`, and what changed worth an alert."""
    warned_expiry, warned_days = (old.warned_expiry, old.warned_days) if old else (None, None)
    if warned_expiry != new.token_expires_at:  # a new token: its warnings are still to come
        warned_expiry, warned_days = new.token_expires_at, None
    expiry = None
    expires = new.token_expires_at
    if expires is not None and expires > now:
        if expires - now <= SOONER and (warned_days is None or warned_days > 1):
            expiry = 1
        elif expires - now <= SOON and warned_days is None:
            expiry = 7
    stored = new.model_copy(update={"warned_expiry": warned_expiry, "warned_days": expiry or warned_days})
    before = old.problems if old else set()
    gained = frozenset(new.problems - before)
    if gained or expiry:
        return stored, Change(gained=gained, expiry=expiry)
    if before and not new.problems:
        return stored, Change(gained=frozenset(), recovered=True)
    return stored, None


def sentence(problems: list[str]) -> str:
    """["needs reconnecting", "can't post"] -> "It needs reconnecting and can't post." """
    if not problems:
        return "Late reports a problem; see the account in Late."
    joined = problems[0] if len(problems) == 1 else ", ".join(problems[:-1]) + " and " + problems[-1]
    return f"It {joined}."


def failure_reason(exc: LateError) -> str:
    if isinstance(exc, LateAuthError):
        return "Late refused latebot's API key (401); an admin must fix LATE_API_KEY"
    if isinstance(exc, LateNoAnswer):
        return f"Late did not answer ({exc.message})"
    return f"{exc.message} ({exc.status})" if exc.status else exc.message


class HealthMonitor:
    name = "health"

    def __init__(self, *, book: HealthBook, alerts: Alerts, risks: Risks, directory: Directory, clock: Clock,
                 interval: float = 900.0, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 jitter: Callable[[float, float], float] = random.uniform) -> None:
        self.book = book
        self.alerts = alerts
        self.risks = risks
        self.directory = directory
        self.clock = clock
        self.interval = interval
        self.sleep = sleep
        self.jitter = jitter

    # --- one poll --------------------------------------------------------------------------------

    async def poll(self) -> None:
        now = self.clock.now()
        try:
            report = await self.directory.health()
        except LateError as exc:
            await self._failed(exc, now)
            return
        await self._worked(now)
        known = await self.book.states()
        states, alerts = [], []
        for entry in report.accounts:
            stored, change = judge(known.get(entry.account_id), state_of(entry, now), now)
            states.append(stored)
            if change is not None:
                alerts.append(await self.alerts.prepare(await self._alert(stored, change, now)))
        seen = {s.account_id for s in states}
        await self.book.record(states, alerts, forget=[a for a in known if a not in seen])
        await self._after_mutes(now)
        self.alerts.wake()

    async def observe(self, new: AccountState, *, keep_expiry: bool = True) -> None:
        """What a webhook said about one account, compared and alerted on like a poll (which tells the
        token's expiry; a webhook does not, so the one latebot knew is kept unless it was reconnected)."""
        old = await self.book.state(new.account_id)
        if old is not None and keep_expiry:
            new = new.model_copy(update={"token_expires_at": old.token_expires_at})
        stored, change = judge(old, new, new.seen_at)
        alerts = [await self.alerts.prepare(await self._alert(stored, change, new.seen_at))] if change else []
        await self.book.record([stored], alerts)
        self.alerts.wake()

    async def _failed(self, exc: LateError, now: datetime) -> None:
        check = await self.book.check()
        reason = failure_reason(exc)
        log.warning("account health check failed (%d in a row): %s", check.failures + 1, reason)
        alerts: list[NewAlert] = []
        alerted = check.alerted
        if check.failures + 1 >= FAILS and not alerted:
            alerts.append(await self.alerts.prepare(Alert(
                kind="check_failing", key=f"check-failing:{now.isoformat()}", tone="danger",
                title=f"Health check failing: {reason}",
                text=f"latebot could not check the accounts' health {check.failures + 1} times in a row, so it "
                     "can't tell whether they still work. It keeps trying and says so when it works again.")))
            alerted = True
        await self.book.record_check(CheckState(check.failures + 1, alerted, reason), alerts)
        self.alerts.wake()

    async def _worked(self, now: datetime) -> None:
        check = await self.book.check()
        if check.failures == 0 and not check.alerted:
            return
        alerts = []
        if check.alerted:
            alerts.append(await self.alerts.prepare(Alert(
                kind="check_ok", key=f"check-ok:{now.isoformat()}", plain=True, title="Health check works again",
                text="✓ The account health check works again.")))
        await self.book.record_check(CheckState(), alerts)

    async def _after_mutes(self, now: datetime) -> None:
        """Alerts held while an account was muted: once the mute ends, one alert if it is still broken."""
        for account_id in await self.alerts.outbox.held_accounts():
            if await self.alerts.muted(account_id):
                continue
            held = await self.alerts.outbox.held_of(account_id)
            await self.alerts.outbox.set_state([h.id for h in held], "dropped")
            state = await self.book.state(account_id)
            if state is not None and state.problems:
                alert = await self._alert(state, Change(gained=frozenset(state.problems)), now)
                await self.alerts.raise_alert(alert.model_copy(update={
                    "key": f"unmuted:{account_id}:{now.isoformat()}",
                    "text": "Still not fixed now that the mute has ended. " + alert.text}))

    # --- the words -------------------------------------------------------------------------------

    async def _brand(self, profile_id: str | None) -> str:
        if not profile_id:
            return "?"
        try:
            return next((p.name for p in await self.directory.profiles() if p.id == profile_id), profile_id)
        except LateError:
            return profile_id

    async def _alert(self, state: AccountState, change: Change, now: datetime) -> Alert:
        label = account_label(state.platform, state.username)
        brand = await self._brand(state.profile_id)
        key = f"account:{state.account_id}:{now.isoformat()}:{'+'.join(sorted(change.gained))}:{change.expiry}"
        if change.recovered:
            return Alert(kind="recovered", key=key, plain=True, title=f"{label} is healthy again",
                         text=f"✓ {label} ({brand}) is healthy again.", profile_id=state.profile_id,
                         account_id=state.account_id)
        problems = [WORDS[p] for p in ("reconnect", "cannot_post", "error", "warning") if p in state.problems]
        if change.expiry and state.token_expires_at is not None:
            when = describe_time(state.token_expires_at, "UTC")
            problems.append(f"has a login that expires {'within a day' if change.expiry == 1 else 'within 7 days'} "
                            f"({when})")
        first = next((p for p in ("reconnect", "cannot_post", "error") if p in change.gained), None)
        if first:
            title = f"{label} {WORDS[first]}"
        elif change.expiry:
            title = f"{label}: login expires {'within a day' if change.expiry == 1 else 'within 7 days'}"
        else:
            title = f"{label} {WORDS['warning']}"
        fields = [("Brand", brand), ("What is wrong", sentence(problems))]
        if state.issues:
            fields.append(("Late says", "; ".join(state.issues)))
        fields.append(("At risk", await self.risks.text_for(state.account_id)))
        tone = "danger" if state.problems & {"reconnect", "cannot_post", "error"} else "warning"
        return Alert(kind="account", key=key, title=title, tone=tone, fields=fields, reconnect=state.platform,
                     mute=True, at_risk=True,
                     text="Reconnecting it in Late fixes this; latebot says here when it is healthy again.",
                     profile_id=state.profile_id, account_id=state.account_id)

    # --- as a service ----------------------------------------------------------------------------

    def next_wait(self) -> float:
        return max(1.0, self.interval * self.jitter(0.9, 1.1))

    async def run(self) -> None:
        while True:
            try:
                await self.poll()
            except Exception:
                log.exception("account health poll failed")
            await self.sleep(self.next_wait())
