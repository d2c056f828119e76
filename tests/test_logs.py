"""Log redaction: configured secrets and token-shaped strings never reach a log line."""

from __future__ import annotations

import io
import json
import logging

from bot.logs import setup_logging
from bot.redaction import Redaction


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


async def test_a_whole_flow_at_debug_logs_no_secret(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.harness import API_KEY, core_harness

    stream = io.StringIO()
    raw: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            raw.append(record)

    secrets = [API_KEY, "xoxb-1111111111-2222222222-abcdefghijklmnopqrstuvwx", "signing-secret-0123456789"]
    setup_logging(level="DEBUG", fmt="plain", secrets=secrets, stream=stream)
    keep = Keep()
    logging.getLogger().addHandler(keep)
    try:
        async with core_harness(tmp_path) as h:
            console = h.console("alice")
            await console.run('/late post "Debug me" to x now', ":as bob", ":click Approve", "/late health")
            assert "Published" in console.output
    finally:
        logging.getLogger().handlers.clear()
    assert any("/v1/posts" in r.getMessage() for r in raw)  # the flow did log its Late calls
    out = stream.getvalue()
    for secret in secrets:
        assert secret not in out
        assert not [r for r in raw if secret in r.getMessage()]


def test_the_credential_in_a_presigned_url_is_redacted_and_the_rest_stays_readable() -> None:
    url = ("https://storage.example/u/a.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA123%2F2026"
           "&X-Amz-Signature=9f86d081884c7d65&X-Amz-Expires=900")
    text = Redaction().text(f"The storage refused {url} (403)")
    assert "AKIA123" not in text and "9f86d081884c7d65" not in text
    assert "https://storage.example/u/a.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=[redacted]" in text
    assert "X-Amz-Signature=[redacted]&X-Amz-Expires=900" in text
    # A link in a post keeps its own query: the card shows what Late will receive.
    assert Redaction().text("https://shop.example/p?token=xyz&sig=1") == "https://shop.example/p?token=xyz&sig=1"
