"""The base of every Late wire model: Late's field names on the wire, snake_case in Python."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AliasChoices, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class LateModel(BaseModel):
    """camelCase on the wire; unknown fields are kept, so a newer Late never loses data on a round trip."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, alias_generator=to_camel)

    def wire(self) -> dict[str, Any]:
        """The JSON body as Late spells it; unset optional fields are left out rather than sent as null."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


def _utc(value: datetime) -> datetime:
    # Late answers in UTC with "Z"; a naive value would break every comparison with our aware clock.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_utc)]


def id_field(default: Any = ...) -> Any:
    """Late's `_id` (Mongo style); webhook and some newer answers say `id`, so both are read."""
    return Field(default, validation_alias=AliasChoices("_id", "id"), serialization_alias="_id")


def ref_id(value: Any) -> Any:
    """A reference Late sends either as an id string or as the populated object: the id either way."""
    if isinstance(value, dict):
        return value.get("_id") or value.get("id")
    return value
