"""Log redaction: configured secrets and token-shaped strings never reach a log line."""

from __future__ import annotations

import io
import json
import logging

from bot.logs import setup_logging


def test_secrets_and_token_shapes_are_redacted_in_messages_args_and_tracebacks() -> None:
    stream = io.StringIO()
    setup_logging(level="DEBUG", fmt="json", secrets=["sk_live_secret123"], stream=stream)
    log = logging.getLogger("latebot.test")
    log.debug("key is %s", "sk_live_secret123")
    log.info("header Authorization: Bearer abc.def-123")
    log.warning("slack xoxb-1234567890-abcdefghij and xapp-1-A0B1C2D3E4-5678")
    try:
        raise RuntimeError("failed with sk_live_secret123")
    except RuntimeError:
        log.exception("boom")
    out = stream.getvalue()
    for secret in ("sk_live_secret123", "abc.def-123", "xoxb-1234567890", "xapp-1-A0B1C2D3E4"):
        assert secret not in out
    records = [json.loads(line) for line in out.splitlines()]
    assert records[0]["message"] == "key is [redacted]"
    assert "RuntimeError" in records[-1]["error"]
    logging.getLogger().handlers.clear()
