"""What a parse needs to know about the moment and the person: now, and their time zone."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, field_validator

from commands.zones import resolve_zone


class ParseContext(BaseModel):
    model_config = ConfigDict(frozen=True)

    now: datetime  # aware; injected so that "tomorrow 9am" is exact in tests
    timezone: str = "UTC"  # the user's IANA zone: times without `tz` are read in it

    @field_validator("now")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("ParseContext.now must be time-zone aware")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return resolve_zone(value, "/late config timezone {zone}")
