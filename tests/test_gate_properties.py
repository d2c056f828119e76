"""The gate under random interleavings (hypothesis stateful testing), through the real router and core
on the fake Late over loopback.

After every step: every post on Late carries a revision approved by enough distinct ids that the
rules allowed at that moment, none of whom wrote a revision of it (unless self-approval was on), and
latebot's state agrees with Late's (a scheduled request has exactly its one post with its current
text; an undecided, rejected, cancelled or expired one has none).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, precondition, rule

from bot.messages import Actor, FormSubmission
from tests.harness import GENERAL, START, CoreMachine, Said, press, say

PEOPLE = ("U1", "U2", "U3", "U4")
ADMIN = Actor(id="U9", name="admin", is_admin=True)
people = st.sampled_from(PEOPLE)


@dataclass
class Rules:
    """The rules as the test set them (an independent model of what latebot must enforce)."""

    approvers: frozenset[str] | None = None  # None: anyone but the requesters
    approvals: int = 1
    self_ok: bool = False

    def allowed(self, voter: str) -> bool:
        return self.approvers is None or voter in self.approvers


@dataclass
class Seen:
    posts: dict[str, Rules] = field(default_factory=dict)  # Late post id -> rules when it appeared


class Gate(CoreMachine):
    def __init__(self) -> None:
        super().__init__()
        self.rules = Rules()
        self.seen = Seen()
        self.ids: list[str] = []
        self.n = 0

    # --- driving the real router -------------------------------------------------------------

    def invoke(self, who: Actor, text: str) -> str:
        return str(self.run(say(self.h, who, text, GENERAL)).text)

    def press(self, who: str, action: str, ref: str) -> str:
        return str(self.run(press(self.h, Actor(id=who, name=who.lower()), action, ref, GENERAL)).text)

    def request(self, index: int) -> Any:
        return self.run(self.h.core.approvals.get(self.ids[index % len(self.ids)]))

    @initialize()
    def brand(self) -> None:
        self.h.console("U9")  # cards go somewhere, as in a real chat
        self.invoke(ADMIN, "config expiry 30")

    @rule(who=people)
    def submit(self, who: str) -> None:
        self.n += 1
        when = (START + timedelta(days=3)).strftime("%Y-%m-%d %H:%M")
        out = self.invoke(Actor(id=who, name=who.lower()), f'post "Post {self.n}" to x at "{when}"')
        if "Sent for approval" in out:
            self.ids.append(out.split("as request ")[1].split(".")[0])

    @precondition(lambda self: self.ids)
    @rule(index=st.integers(0, 50), who=people)
    def edit(self, index: int, who: str) -> None:
        request = self.request(index)
        self.n += 1
        self.invoke(Actor(id=who, name=who.lower()), f'edit {request.id} "Edit {self.n}"')

    @precondition(lambda self: self.ids)
    @rule(index=st.integers(0, 50), who=people, stale=st.booleans())
    def approve(self, index: int, who: str, stale: bool) -> None:
        request = self.request(index)
        revision = request.revision - 1 if stale and request.revision > 1 else request.revision
        self.press(who, "approve", f"{request.id}:{revision}")

    @precondition(lambda self: self.ids)
    @rule(who=people)
    def approve_newest(self, who: str) -> None:
        # Approvals are what reach Late: twice as likely as the other steps.
        self.approve(len(self.ids) - 1, who, stale=False)

    @precondition(lambda self: self.ids)
    @rule(index=st.integers(0, 50), who=people)
    def reject(self, index: int, who: str) -> None:
        request = self.request(index)
        sub = FormSubmission(actor=Actor(id=who, name=who.lower()), place=GENERAL,
                             form_id=f"late:reject:{request.id}:{request.revision}", values={"reason": "no"})
        self.run(self.h.router.submit(sub, Said()))

    @precondition(lambda self: self.ids)
    @rule(index=st.integers(0, 50), who=people)
    def cancel(self, index: int, who: str) -> None:
        self.invoke(Actor(id=who, name=who.lower()), f"cancel {self.request(index).id}")

    @rule()
    def time_passes(self) -> None:
        self.clock.advance(timedelta(hours=11))
        self.run(self.h.core.approvals.expire_due())

    @rule(chosen=st.frozensets(people, max_size=3), approvals=st.integers(1, 3))
    def set_approvers(self, chosen: frozenset[str], approvals: int) -> None:
        value = " ".join(f"<@{p}|{p.lower()}>" for p in sorted(chosen)) or "anyone"
        if "Saved." in self.invoke(ADMIN, f"config approvers {value}"):
            self.rules.approvers = chosen or None
        self.after_config()
        if "Saved." in self.invoke(ADMIN, f"config approvals {approvals}"):
            self.rules.approvals = approvals
        self.after_config()

    @rule(on=st.booleans())
    def self_approval(self, on: bool) -> None:
        if "Saved." in self.invoke(ADMIN, f"config self_approval {'on' if on else 'off'}"):
            self.rules.self_ok = on
        self.after_config()

    def after_config(self) -> None:
        # A change of rules may publish pending requests at once (a lower quorum): check those now.
        self.every_post_was_approved()

    # --- what must hold -----------------------------------------------------------------------

    @invariant()
    def every_post_was_approved(self) -> None:
        for post in self.run(self.h.late.engine.posts()):
            if post["_id"] in self.seen.posts:
                continue
            rules = Rules(self.rules.approvers, self.rules.approvals, self.rules.self_ok)
            self.seen.posts[post["_id"]] = rules
            request = self.run(self.h.core.approvals.get(post["metadata"]["latebotRequestId"]))
            votes = self.run(self.h.store.query(
                "SELECT approver_id FROM approvals WHERE request_id = ? AND revision = ?",
                [request.id, request.revision]))
            voters = {v["approver_id"] for v in votes}
            valid = {v for v in voters if rules.allowed(v) and (rules.self_ok or v not in request.authors)}
            assert len(valid) >= rules.approvals, (post["content"], voters, rules, request.authors)
            assert post["content"] == request.draft.text

    @invariant()
    def latebot_and_late_agree(self) -> None:
        posts = self.run(self.h.late.engine.posts())
        live: dict[str, list[dict[str, Any]]] = {}
        for p in posts:
            if p["status"] in ("scheduled", "publishing", "published", "draft"):
                live.setdefault(p["metadata"]["latebotRequestId"], []).append(p)
        for rid in self.ids:
            request = self.run(self.h.core.approvals.get(rid))
            mine = live.get(rid, [])
            if request.state == "scheduled":
                assert [p["content"] for p in mine] == [request.draft.text], (rid, request.state, mine)
                assert mine[0]["_id"] == request.late_post_id
            elif request.state in ("pending", "rejected", "cancelled", "expired"):
                assert not mine, (rid, request.state, [p["content"] for p in mine])


Gate.TestCase.settings = settings(
    max_examples=40, stateful_step_count=40, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestGate = Gate.TestCase
