"""What a broken account puts at risk: latebot's posts that use it, and the warning a new request
for it gets on its card (from the health latebot last saw; no Late call on the way).
"""

from __future__ import annotations

from datetime import datetime

from bot.clock import Clock, describe_time
from bot.healthbook import AccountState, HealthBook
from bot.platforms import account_label
from bot.request import PostDraft, Request, State
from bot.requests import Requests

AT_RISK: tuple[State, ...] = ("scheduled", "pending")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def at_risk_text(requests: list[Request]) -> str:
    """"4 scheduled posts from latebot use this account, the next on Tue 1 Dec 2026 09:00 UTC." """
    scheduled = [r for r in requests if r.state == "scheduled"]
    pending = [r for r in requests if r.state == "pending"]
    if not requests:
        return "No post from latebot is waiting to use this account."
    parts = []
    if scheduled:
        verb = "uses" if len(scheduled) == 1 else "use"
        text = f"{_plural(len(scheduled), 'scheduled post')} from latebot {verb} this account"
        timed = [r for r in scheduled if r.draft.scheduled_for is not None]
        if timed:
            first = timed[0].draft
            assert first.scheduled_for is not None
            text += f", the next on {describe_time(first.scheduled_for, first.timezone)}"
        parts.append(text + ".")
    if pending:
        verb = "waits" if len(pending) == 1 else "wait"
        parts.append(f"{_plural(len(pending), 'more post')} for it {verb} for approval.")
    return " ".join(parts)


def warning_for(state: AccountState, draft: PostDraft, now: datetime) -> str | None:
    """Why a post to this account would fail, in words, or None."""
    label = account_label(state.platform, state.username)
    if state.needs_reconnect:
        return f"{label} needs reconnecting: this post would fail."
    if state.status == "error" or not state.can_post:
        issues = "; ".join(state.issues) or "Late reports an error"
        return f"{label} can't post right now ({issues}): this post would fail."
    goes_out = draft.scheduled_for if draft.mode == "schedule" and draft.scheduled_for else now
    expires = state.token_expires_at
    if draft.mode != "draft" and expires is not None and expires <= goes_out:
        return (f"{label}'s login expires {describe_time(expires, draft.timezone)}, before this post goes out: "
                "reconnect it first, or it will fail.")
    return None


class Risks:
    def __init__(self, requests: Requests, book: HealthBook, clock: Clock) -> None:
        self.requests = requests
        self.book = book
        self.clock = clock

    async def of_account(self, account_id: str) -> list[Request]:
        return await self.requests.using_account(account_id, AT_RISK)

    async def text_for(self, account_id: str) -> str:
        return at_risk_text(await self.of_account(account_id))

    async def warnings(self, draft: PostDraft) -> list[str]:
        """A line per target account that latebot last saw broken (or expiring before the post)."""
        out = []
        now = self.clock.now()
        states = await self.book.states_of({t.account_id for t in draft.targets})
        for target in draft.targets:
            state = states.get(target.account_id)
            warning = warning_for(state, draft, now) if state is not None else None
            if warning:
                out.append(warning)
        return out

    async def notes(self, request: Request) -> list[str]:
        """What the card of a request still to be published warns about."""
        if request.state not in ("pending", "publishing"):
            return []
        return await self.warnings(request.draft)
