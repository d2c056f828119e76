"""`GET /v1/connect/{platform}`: where to send a person to (re)connect an account."""

from __future__ import annotations

from bot.late.base import LateModel


class ConnectUrl(LateModel):
    auth_url: str
    state: str | None = None
