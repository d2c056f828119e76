"""Which handler answers which method and path."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from adapters.sandbox import accounts, boards, media, posts, usage, webhooks
from adapters.sandbox.context import Context
from adapters.sandbox.inbound import Inbound, Refusal, Reply
from bot.store import Tx

Handler = Callable[[Context, Tx, Inbound], Reply]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    writes: bool
    # The answer depends on stored state only (not on the clock), so it may be reused until a write.
    cacheable: bool
    # Answered without Late's API key: a presigned storage URL carries its own authority.
    public: bool = False


def _route(method: str, path: str, handler: Handler, *, cacheable: bool = False, public: bool = False) -> Route:
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path)
    return Route(method, re.compile(f"^{regex}/?$"), handler, writes=method != "GET", cacheable=cacheable,
                 public=public)


ROUTES = [
    _route("GET", "/v1/profiles", accounts.handle_profiles, cacheable=True),
    _route("GET", "/v1/accounts", accounts.handle_accounts, cacheable=True),
    _route("GET", "/v1/accounts/health", accounts.handle_health),
    _route("GET", "/v1/accounts/{id}/health", accounts.handle_account_health),
    _route("GET", "/v1/accounts/{id}/pinterest-boards", boards.handle_boards, cacheable=True),
    _route("GET", "/v1/accounts/{id}/reddit-subreddits", boards.handle_subreddits, cacheable=True),
    _route("GET", "/v1/posts", posts.handle_list, cacheable=True),
    _route("POST", "/v1/posts", posts.handle_create),
    _route("GET", "/v1/posts/{id}", posts.handle_get, cacheable=True),
    _route("PUT", "/v1/posts/{id}", posts.handle_update),
    _route("DELETE", "/v1/posts/{id}", posts.handle_delete),
    _route("POST", "/v1/posts/{id}/retry", posts.handle_retry),
    _route("POST", "/v1/posts/{id}/unpublish", posts.handle_unpublish),
    _route("POST", "/v1/media", media.handle_upload),
    _route("POST", "/v1/media/presign", media.handle_presign),
    _route("PUT", "/v1/media/uploads/{key}", media.handle_put, public=True),
    _route("GET", "/v1/usage-stats", usage.handle_usage, cacheable=True),
    _route("GET", "/v1/connect/{platform}", usage.handle_connect),
    _route("GET", "/v1/webhooks/settings", webhooks.handle_list),
    _route("POST", "/v1/webhooks/settings", webhooks.handle_create),
    _route("PUT", "/v1/webhooks/settings", webhooks.handle_update),
    _route("DELETE", "/v1/webhooks/settings", webhooks.handle_delete),
]


def match(method: str, path: str) -> tuple[Route, dict[str, str]]:
    allowed = False
    for route in ROUTES:
        found = route.pattern.match(path)
        if found is None:
            continue
        if route.method == method:
            return route, found.groupdict()
        allowed = True
    if allowed:
        raise Refusal(405, "Method not allowed")
    raise Refusal(404, "Not found")
