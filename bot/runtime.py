"""The supervised runtime: every service of one process as a task of one `asyncio.TaskGroup`.

A service is an object with a `name` and `async run()`, which runs until it is cancelled and then
winds down quickly on its own (stop taking new work, give in-flight work a few seconds, leave what
is unfinished in a state that reconcile resolves). SIGTERM and SIGINT, or any service ending or
failing, start the one shutdown path: every other service is cancelled and awaited.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Sequence
from typing import Protocol

log = logging.getLogger("latebot.runtime")


class Service(Protocol):
    @property
    def name(self) -> str: ...

    async def run(self) -> None:
        """Run until cancelled."""
        ...


class _Stopped(Exception):
    """Raised inside the task group to end it: the normal way out."""


async def run_services(services: Sequence[Service], *, stop: asyncio.Event | None = None) -> None:
    """Run `services` until `stop` is set, SIGTERM/SIGINT arrives, or one of them ends.

    A service that fails makes the others stop too, and its exception is raised from here (alone,
    not wrapped in an ExceptionGroup, when it is the only one).
    """
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        # Signals can only be handled on the main thread of a Unix loop (ValueError or RuntimeError
        # elsewhere, NotImplementedError on Windows): then `stop` and the caller end the services.
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)

    async def supervise(service: Service) -> None:
        try:
            await service.run()
        finally:
            if not stop.is_set():
                log.info("service %s ended; stopping the others", service.name)
                stop.set()

    async def until_stopped() -> None:
        await stop.wait()
        raise _Stopped

    try:
        async with asyncio.TaskGroup() as group:
            for service in services:
                group.create_task(supervise(service), name=f"latebot-{service.name}")
            group.create_task(until_stopped(), name="latebot-stop")
    except BaseExceptionGroup as group_error:
        real = [e for e in group_error.exceptions if not isinstance(e, _Stopped)]
        if len(real) == 1:
            raise real[0] from None
        if real:
            raise BaseExceptionGroup("latebot services failed", real) from None
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
