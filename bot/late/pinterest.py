"""`GET /v1/accounts/{id}/pinterest-boards`: the boards a Pinterest account can pin to."""

from __future__ import annotations

from pydantic import Field

from bot.late.base import LateModel


class PinterestBoard(LateModel):
    id: str
    name: str | None = None


class PinterestBoards(LateModel):
    boards: list[PinterestBoard] = Field(default_factory=list)
    default_board_id: str | None = None
