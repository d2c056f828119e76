"""Reading Late's answers into our models; a surprise in an answer is a LateError, never a crash."""

from __future__ import annotations

from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from bot.errors import LateError
from bot.late.post import Post

M = TypeVar("M", bound=BaseModel)


def json_of(response: httpx.Response) -> Any:
    if not response.content:
        return {}
    try:
        return response.json()
    except ValueError:
        raise LateError(
            f"Late answered {response.status_code} with a body that is not JSON",
            status=response.status_code,
            method=response.request.method,
            path=response.request.url.path,
        ) from None


def items_of(data: Any, key: str) -> list[Any]:
    """The list under `key` (or the answer itself, when it is a list). An answer without that list is
    a LateError: it must never read as "there are none"."""
    items = data.get(key) if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise LateError(f"Late answered in an unexpected shape: no list of {key}", body=data)
    return items


def post_of(data: Any) -> Post:
    if isinstance(data, dict) and isinstance(data.get("post"), dict):
        return parse(Post, data["post"])
    if isinstance(data, dict) and ("_id" in data or "id" in data):
        return parse(Post, data)
    raise LateError("Late's answer has no post in it")


def parse(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        # Our own model is too strict for what Late sent: a LateError, so callers handle it like any refusal.
        raise LateError(
            f"Late answered in an unexpected shape ({model.__name__}): {exc.errors()[0]['msg']}", body=data
        ) from None
