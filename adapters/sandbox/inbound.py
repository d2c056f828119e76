"""One request as the engine sees it, and the answers it gives."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx


class Refusal(Exception):
    """An error answer; raised inside a write, it also rolls the transaction back."""

    def __init__(self, status: int, error: str, **fields: Any) -> None:
        super().__init__(error)
        self.reply = Reply(status, {"error": error, **fields})


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> bytes:
        return json.dumps(self.body, separators=(",", ":"), ensure_ascii=False).encode()

    def response(self, content: bytes | None = None) -> httpx.Response:
        headers = {"content-type": "application/json", **self.headers}
        return httpx.Response(
            self.status, headers=headers, content=self.encoded() if content is None else content
        )


@dataclass
class Inbound:
    method: str
    path: str  # from "/v1/" on, whatever prefix the base URL had
    params: dict[str, str]
    headers: httpx.Headers
    body: bytes
    # Everything before "/v1/" (scheme, host, prefix): where this API answers, for URLs it hands out.
    origin: str = ""
    args: dict[str, str] = field(default_factory=dict)  # path parameters

    @classmethod
    def of(cls, request: httpx.Request) -> Inbound:
        path = request.url.path
        at = path.find("/v1/")
        prefix = path[:at] if at >= 0 else ""
        return cls(
            method=request.method.upper(),
            path=path[at:] if at >= 0 else path,
            params={k: v for k, v in request.url.params.multi_items()},
            headers=request.headers,
            body=request.content,
            origin=f"{request.url.scheme}://{request.url.netloc.decode()}{prefix}",
        )

    def json(self) -> Any:
        if not self.body:
            return {}
        try:
            return json.loads(self.body)
        except ValueError:
            raise Refusal(400, "Invalid JSON body") from None

    def object(self) -> dict[str, Any]:
        data = self.json()
        if not isinstance(data, dict):
            raise Refusal(400, "Request body must be a JSON object")
        return data
