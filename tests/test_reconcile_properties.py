"""Never a second post, and nothing stuck (hypothesis stateful testing): approvals while the fake Late
fails in random ways, time passing by random amounts, listings failing, the scheduler ticking and
users pressing Retry, through the real router and core.

After every step: no request has more than one post on Late (Late's own duplicate check is off, so a
second create would show), a request that names a post names its own, and a request that offers
Retry has nothing on Late. Whenever the faults stop, everything settles.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule

from bot.late.backoff import Backoff
from tests.fakes.late_server import Naps
from tests.harness import CoreMachine, ScriptedConsole

FAULTS = {
    "none": {},
    "500 before": {"status": 500},
    "500 after": {"status": 500, "status_after": True},
    "dropped before": {"drop": True},
    "dropped after": {"drop_after": True},
    "short 429": {"status": 429, "headers": {"Retry-After": "1"}},
    "long 429": {"status": 429, "headers": {"Retry-After": "7200"}},
    "account limit": {"status": 429, "body": {"error": "Account @demobrand (twitter) has reached its limit of 25 "
                                                       "posts per hour. Try again later."}},
}
TARGETS = ("x", "linkedin", "bluesky", "threads")


class Publishing(CoreMachine):
    def __init__(self) -> None:
        super().__init__(client={"sleep": Naps(), "timeout": 2.0, "backoff": Backoff(base=0.01, cap=0.01)})
        self.h.late.engine.content_dedup = False
        self.console: ScriptedConsole = self.h.console("alice")
        self.n = 0

    async def _rows(self) -> list[dict[str, Any]]:
        return await self.h.store.query("SELECT id, state, late_post_id, outcome FROM requests")

    def rows(self) -> list[dict[str, Any]]:
        return list(self.run(self._rows()))

    def posts_by_request(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for post in self.run(self.h.late.engine.posts()):
            out.setdefault(post["metadata"]["latebotRequestId"], []).append(post["_id"])
        return out

    # --- what happens ------------------------------------------------------------------------------

    @rule(fault=st.sampled_from(sorted(FAULTS)), times=st.integers(1, 5), where=st.sampled_from(TARGETS))
    def approve(self, fault: str, times: int, where: str) -> None:
        self.n += 1
        if FAULTS[fault]:
            self.h.late.fault("POST", "/v1/posts", times=times, **FAULTS[fault])
        self.run(self.console.run(":as alice", f'/late post "Post {self.n}" to {where} now', ":as bob",
                                  ":click Approve"))
        self.h.late.faults.clear()

    @rule(seconds=st.sampled_from([0, 20, 45, 200, 400, 1000, 4000]))
    def time_passes(self, seconds: int) -> None:
        self.clock.advance(timedelta(seconds=seconds))

    @rule(times=st.integers(1, 9))
    def listings_fail(self, times: int) -> None:
        self.h.late.fail("GET", "/v1/posts", 503, times=times)

    @rule()
    def tick(self) -> None:
        self.run(self.h.core.scheduler.tick())

    @precondition(lambda self: self.n > 0)
    @rule()
    def retry_what_offers_it(self) -> None:
        for row in self.rows():
            if row["state"] == "failed" and '"retryable":true' in (row["outcome"] or ""):
                self.run(self.console.run(f"/late retry {row['id']}"))

    @precondition(lambda self: self.n > 0)
    @rule()
    def the_faults_stop(self) -> None:
        """Late recovers: within a quarter of an hour of ticks, nothing is left `publishing`."""
        self.h.late.faults.clear()
        for _ in range(4):
            self.clock.advance(timedelta(minutes=5))
            self.run(self.h.core.scheduler.tick())
        assert [r["id"] for r in self.rows() if r["state"] in ("publishing", "pending")] == []

    # --- what must always hold ---------------------------------------------------------------------

    @invariant()
    def never_a_second_post_and_every_claim_true(self) -> None:
        posts = self.posts_by_request()
        assert {rid: ids for rid, ids in posts.items() if len(ids) > 1} == {}
        for row in self.rows():
            mine = posts.get(row["id"], [])
            if row["late_post_id"] and row["state"] != "publishing":
                assert mine == [row["late_post_id"]], row
            if row["state"] == "failed" and '"retryable":true' in (row["outcome"] or ""):
                assert mine == [], row  # "Nothing was created on Late" is true


Publishing.TestCase.settings = settings(
    max_examples=25, stateful_step_count=14, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestPublishing = Publishing.TestCase
