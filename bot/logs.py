"""One logging setup: plain or JSON lines, with every secret redacted from every record."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from typing import Literal, TextIO

# Shapes of credentials that may reach a log line without being a configured secret (a token
# echoed in an error body, an Authorization header in a debug dump).
_TOKEN_SHAPES = re.compile(
    r"(xox[abposr]-[0-9A-Za-z-]+|xapp-[0-9]-[0-9A-Za-z-]+|Bearer\s+[A-Za-z0-9._~+/=-]+"
    r"|[MN][A-Za-z\d_-]{23,25}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,})"
)
REDACTED = "[redacted]"
# A presigned storage URL (Late's media upload) carries its credential in the query: anyone with the
# URL may write there until it expires, so the value goes, the rest of the URL stays readable. Only
# the storage's own names: a `token=` in a link someone posts must reach the card as it is.
_SIGNED_QUERY = re.compile(r"(?i)\b(x-(?:amz|goog)-(?:signature|credential|security-token))=[^&\s\"'<>]+")


class RedactingFilter(logging.Filter):
    """Rewrites each record's message with secrets and token-shaped strings removed."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        text = _SIGNED_QUERY.sub(rf"\1={REDACTED}", text)
        return _TOKEN_SHAPES.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = self.redact(message)
        if record.exc_info and record.exc_info[1] is not None:
            # Format the traceback now, redacted, so no handler formats the raw one later.
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        record.msg, record.args = clean, None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_text:
            entry["error"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(
    *,
    level: str | int = "INFO",
    fmt: Literal["plain", "json"] = "plain",
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
) -> RedactingFilter:
    """Configure the root logger once; returns the redactor so tests can reuse it."""
    handler = logging.StreamHandler(stream or sys.stderr)
    redactor = RedactingFilter(secrets)
    handler.addFilter(redactor)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request URL at INFO; keep its chatter at WARNING unless debugging.
    if logging.getLevelName(level) != "DEBUG" and level != logging.DEBUG:
        logging.getLogger("httpx").setLevel(logging.WARNING)
    return redactor
