"""The alerts service on the real core: what raising an alert wakes, and what one flush reads and fetches."""

from __future__ import annotations

from pathlib import Path

from bot.alert import Alert
from tests.harness import core_harness


async def test_raising_an_alert_again_adds_nothing_and_wakes_no_delivery(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        alerts = h.core.alerts
        alert = Alert(kind="check_failing", key="check:once", title="Health check failing")
        assert await alerts.raise_alert(alert) is True
        assert alerts._wake.is_set()
        alerts._wake.clear()  # as `run` does before it flushes
        assert await alerts.raise_alert(alert) is False
        assert not alerts._wake.is_set()
