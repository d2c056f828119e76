"""`POST /v1/posts/bulk-upload`: the per-row verdict on a CSV of posts."""

from __future__ import annotations

from pydantic import Field

from bot.late.base import LateModel


class BulkRow(LateModel):
    row_index: int
    ok: bool
    created_post_id: str | None = None
    errors: list[str] = Field(default_factory=list)


class BulkUploadResult(LateModel):
    total: int = 0
    valid: int = 0
    invalid: int = 0
    results: list[BulkRow] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    http_status: int = Field(default=200, exclude=True)  # 207 when only some rows were valid
