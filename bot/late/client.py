"""`LateClient`: every Late endpoint latebot uses, over one pooled HTTP client.

Paths are appended to `LATE_BASE_URL` (`https://getlate.dev/api` + `/v1/posts`). No secret is ever in a
URL: the key travels only in the `Authorization` header, because httpx logs full URLs at INFO.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterable, AsyncIterator, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import SecretStr

from bot.clock import Clock, SystemClock, iso
from bot.errors import LateConnectionError, LateDuplicateError, LateError, LateTimeoutError
from bot.late.account import Account, AccountHealthDetail, HealthReport
from bot.late.answer import items_of, json_of, parse, post_of
from bot.late.backoff import Backoff
from bot.late.body import CreatePostBody, UpdatePostBody
from bot.late.connect import ConnectUrl
from bot.late.failure import error_for
from bot.late.media import MediaFile, MediaPresign, MediaUpload, UploadedFile, media_from_url
from bot.late.pinterest import PinterestBoards
from bot.late.post import CreatePostResult, Post, PostPage
from bot.late.profile import Profile
from bot.late.ratelimit import RateLimit, RateLimitState, Sleep
from bot.late.reddit import RedditSubreddits
from bot.late.session import Answer, Call, LateSession
from bot.late.transport import AiohttpTransport
from bot.late.usage import UsageStats
from bot.late.webhook import Webhook, WebhookList, WebhookSaved

log = logging.getLogger("latebot.late")
USER_AGENT = "latebot/0.1"
# Late's `GET /v1/posts` answers 400 above its maximum `limit` (500 since August 2026, 100 before):
# latebot never asks for more than the older, smaller one.
MAX_PAGE = 100


class LateClient:
    media_from_url = staticmethod(media_from_url)

    def __init__(
        self,
        base_url: str,
        api_key: SecretStr | str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        http: httpx.AsyncClient | None = None,
        clock: Clock | None = None,
        sleep: Sleep | None = None,
        backoff: Backoff | None = None,
        timeout: float = 30.0,
        publish_timeout: float = 300.0,
        max_rate_wait: float = 65.0,
    ) -> None:
        key = api_key.get_secret_value() if isinstance(api_key, SecretStr) else api_key
        if not key:
            raise ValueError("a Late API key is required")
        base = base_url.rstrip("/").removesuffix("/v1")
        self._timeout = httpx.Timeout(timeout, connect=min(timeout, 10.0), pool=60.0)
        # Publishing runs inside the create request and can take minutes (the official SDK saw 222 s).
        self._publish_timeout = httpx.Timeout(publish_timeout, connect=min(timeout, 10.0), pool=60.0)
        # A large file may take minutes to send; the storage answers only once it has all of it.
        self._upload_timeout = httpx.Timeout(timeout, connect=min(timeout, 10.0), write=publish_timeout,
                                             read=publish_timeout, pool=60.0)
        auth = {"Authorization": f"Bearer {key}", "Accept": "application/json", "User-Agent": USER_AGENT}
        self._owns_http = http is None
        # A shared client brings its own base URL and headers (or none): ours go on each call instead.
        self._call_headers: dict[str, str] = {} if http is None else auth
        self._prefix = "" if http is None else base
        transport = transport or AiohttpTransport()
        self.http = http or httpx.AsyncClient(
            base_url=base,
            headers=auth,
            timeout=self._timeout,
            transport=transport,
            trust_env=False,  # the aiohttp transport reads proxy settings itself
        )
        # Media bytes go to the storage URL Late presigns, on the same pool but never with Late's key.
        self._storage = http if http is not None else httpx.AsyncClient(transport=transport, trust_env=False)
        sleep = sleep or asyncio.sleep
        self._rate = RateLimit(clock or SystemClock(), sleep, max_wait=max_rate_wait)
        self._session = LateSession(self.http, self._rate, backoff or Backoff(), sleep)

    def __repr__(self) -> str:
        return f"LateClient({str(self.http.base_url) or self._prefix!r})"

    @property
    def rate_limit(self) -> RateLimitState:
        return self._rate.state

    @property
    def rate_limit_waited(self) -> float:
        """Seconds spent so far waiting for Late's rate limit to reset."""
        return self._rate.waited

    async def aclose(self) -> None:
        if self._owns_http:
            await self.http.aclose()

    async def __aenter__(self) -> LateClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    # --- plumbing ----------------------------------------------------------------------------

    async def _send(self, call: Call) -> Answer:
        if self._prefix:  # a shared client
            call.headers = {**self._call_headers, **call.headers}
            call.path = self._prefix + call.path
        return await self._session.send(call)

    async def _get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        answer = await self._send(Call("GET", path, params=_params(params)))
        return json_of(answer.response)

    # --- profiles and accounts ---------------------------------------------------------------

    async def list_profiles(self) -> list[Profile]:
        data = await self._get("/v1/profiles")
        return [parse(Profile, p) for p in items_of(data, "profiles")]

    async def list_accounts(self, profile_id: str | None = None) -> list[Account]:
        data = await self._get("/v1/accounts", {"profileId": profile_id})
        return [parse(Account, a) for a in items_of(data, "accounts")]

    async def accounts_health(
        self, *, profile_id: str | None = None, platform: str | None = None, status: str | None = None
    ) -> HealthReport:
        params = {"profileId": profile_id, "platform": platform, "status": status}
        return parse(HealthReport, await self._get("/v1/accounts/health", params))

    async def account_health(self, account_id: str) -> AccountHealthDetail:
        return parse(AccountHealthDetail, await self._get(f"/v1/accounts/{_seg(account_id)}/health"))

    async def connect_url(
        self, platform: str, profile_id: str, *, redirect_url: str | None = None
    ) -> ConnectUrl:
        params = {"profileId": profile_id, "redirect_url": redirect_url}
        return parse(ConnectUrl, await self._get(f"/v1/connect/{_seg(platform)}", params))

    # --- posts -------------------------------------------------------------------------------

    async def create_post(
        self, body: CreatePostBody | Mapping[str, Any], *, idempotency_key: str
    ) -> CreatePostResult:
        """Create a post; safe to call again with the same key after any failure.

        The key must be stored by the caller before this call, so that a retry after a crash uses it too.
        A 207 (some or all platforms failed) is a result, not an error: see `result.partial`.
        """
        if not idempotency_key.strip():
            raise ValueError("create_post needs an idempotency key")
        model = body if isinstance(body, CreatePostBody) else parse(CreatePostBody, dict(body))
        wire = model.wire()
        call = Call(
            "POST",
            "/v1/posts",
            json=wire,
            headers={"Idempotency-Key": idempotency_key, "x-request-id": idempotency_key},
            timeout=self._publish_timeout if model.publish_now else self._timeout,
            expect=(409,),
            account_limits=True,
        )
        answer = await self._send(call)
        response = answer.response
        if response.status_code == 409:
            return await self._after_duplicate(response, answer, wire)
        try:
            data = json_of(response)
            fields = dict(data) if isinstance(data, dict) else {}
            replay = "existingPost" in fields and "post" not in fields
            fields["post"] = fields.get("post") or fields.get("existingPost")
            result = parse(CreatePostResult, fields)
        except LateError as exc:
            exc.maybe_done = True  # Late said 2xx: the post exists, however odd the answer
            raise
        result.http_status = response.status_code
        result.replayed = replay or response.status_code == 200
        return result

    async def _after_duplicate(
        self, response: httpx.Response, answer: Answer, wire: dict[str, Any]
    ) -> CreatePostResult:
        error = error_for(response)
        assert isinstance(error, LateDuplicateError)
        # Late may check content duplicates before idempotency keys, so a create sent again (after a
        # lost answer, or by reconcile after a restart) can meet its own post: ours when it carries
        # the metadata we sent.
        mine = wire.get("metadata")
        if error.existing_post_id and mine:
            try:
                post = await self.get_post(error.existing_post_id)
            except LateError as exc:
                exc.maybe_done = exc.maybe_done or answer.uncertain
                raise
            if is_ours(post, mine):
                log.info("late: a create sent again found its own post %s", post.id)
                return CreatePostResult(post=post, http_status=200, replayed=True, message=error.message)
        error.maybe_done = answer.uncertain
        raise error

    async def list_posts(
        self,
        *,
        page: int = 1,
        limit: int = 50,
        status: str | None = None,
        platform: str | None = None,
        profile_id: str | None = None,
        from_date: datetime | str | None = None,
        to_date: datetime | str | None = None,
        sort_by: str | None = None,
    ) -> PostPage:
        """One page of `GET /v1/posts`. Late has no metadata filter and refuses unknown parameters:
        only these are sent. `sort_by`: scheduled-desc (Late's default), created-desc, ..."""
        params = {
            "page": page,
            "limit": max(1, min(limit, MAX_PAGE)),
            "status": status,
            "platform": platform,
            "profileId": profile_id,
            "fromDate": _when(from_date),
            "toDate": _when(to_date),
            "sortBy": sort_by,
        }
        return parse(PostPage, await self._get("/v1/posts", params))

    async def iter_posts(
        self,
        *,
        limit: int = MAX_PAGE,
        status: str | None = None,
        platform: str | None = None,
        profile_id: str | None = None,
        from_date: datetime | str | None = None,
        to_date: datetime | str | None = None,
        sort_by: str | None = None,
    ) -> AsyncIterator[Post]:
        """Every post matching the filters, page by page; a post that moves between pages is given once."""
        seen: set[str] = set()
        page_no = 1
        while True:
            page = await self.list_posts(
                page=page_no,
                limit=limit,
                status=status,
                platform=platform,
                profile_id=profile_id,
                from_date=from_date,
                to_date=to_date,
                sort_by=sort_by,
            )
            for post in page.posts:
                if post.id not in seen:
                    seen.add(post.id)
                    yield post
            if not page.posts or not page.has_more:
                return
            page_no += 1

    async def get_post(self, post_id: str) -> Post:
        return post_of(await self._get(f"/v1/posts/{_seg(post_id)}"))

    async def update_post(self, post_id: str, changes: UpdatePostBody | Mapping[str, Any]) -> Post:
        model = changes if isinstance(changes, UpdatePostBody) else parse(UpdatePostBody, dict(changes))
        timeout = self._publish_timeout if model.publish_now else self._timeout
        call = Call("PUT", f"/v1/posts/{_seg(post_id)}", json=model.wire(), timeout=timeout)
        answer = await self._send(call)
        try:
            return post_of(json_of(answer.response))
        except LateError as exc:
            exc.maybe_done = True  # Late said 2xx: the change was made, however odd the answer
            raise

    async def delete_post(self, post_id: str) -> None:
        answer = await self._send(Call("DELETE", f"/v1/posts/{_seg(post_id)}", expect=(404,)))
        if answer.response.status_code == 404 and not answer.uncertain:
            raise error_for(answer.response)
        # A 404 after an attempt whose answer was lost means that attempt deleted it.

    async def retry_post(self, post_id: str) -> Post:
        path = f"/v1/posts/{_seg(post_id)}/retry"
        answer = await self._send(Call("POST", path, timeout=self._publish_timeout, repeatable=False,
                                       account_limits=True))
        data = json_of(answer.response)
        if isinstance(data, dict) and data.get("post"):
            return post_of(data)
        return await self.get_post(post_id)

    # --- media, usage, platform settings -----------------------------------------------------

    async def presign_media(self, filename: str, content_type: str, size: int) -> MediaPresign:
        """Where to PUT a file (`POST /v1/media/presign`); asking again is harmless, so it is retried."""
        body = {"filename": filename, "contentType": content_type, "size": size}
        answer = await self._send(Call("POST", "/v1/media/presign", json=body))
        return parse(MediaPresign, json_of(answer.response))

    async def put_media(
        self, presign: MediaPresign, content_type: str, size: int, chunks: AsyncIterable[bytes]
    ) -> None:
        """Stream `size` bytes to the presigned URL. Not retried: `chunks` can be read only once."""
        headers = {"Content-Type": content_type, "Content-Length": str(size)}
        try:
            response = await self._storage.put(
                presign.upload_url, content=chunks, headers=headers, timeout=self._upload_timeout
            )
        except httpx.TimeoutException as exc:
            raise LateTimeoutError(f"the upload to Late's storage timed out ({type(exc).__name__})") from None
        except httpx.TransportError as exc:
            raise LateConnectionError(f"the upload to Late's storage failed ({type(exc).__name__})") from None
        if not response.is_success:
            raise error_for(response)

    async def upload_media(self, files: Sequence[MediaFile]) -> list[UploadedFile]:
        """Small files (up to ~4 MB each) in one multipart request; larger ones belong at a public URL."""
        parts = [("files", (f.filename, f.content, f.content_type)) for f in files]
        call = Call("POST", "/v1/media", files=parts, timeout=self._publish_timeout, repeatable=False)
        answer = await self._send(call)
        return parse(MediaUpload, json_of(answer.response)).files

    async def usage_stats(self) -> UsageStats:
        return parse(UsageStats, await self._get("/v1/usage-stats"))

    async def pinterest_boards(self, account_id: str) -> PinterestBoards:
        return parse(PinterestBoards, await self._get(f"/v1/accounts/{_seg(account_id)}/pinterest-boards"))

    async def reddit_subreddits(self, account_id: str) -> RedditSubreddits:
        return parse(RedditSubreddits, await self._get(f"/v1/accounts/{_seg(account_id)}/reddit-subreddits"))

    # --- webhook subscriptions ---------------------------------------------------------------

    async def webhooks(self) -> list[Webhook]:
        return parse(WebhookList, await self._get("/v1/webhooks/settings")).webhooks

    async def create_webhook(self, *, name: str, url: str, events: Sequence[str], secret: str) -> Webhook:
        """Not repeated after an unknown outcome: a second subscription would deliver every event twice."""
        body = {"name": name, "url": url, "events": list(events), "secret": secret, "isActive": True}
        answer = await self._send(Call("POST", "/v1/webhooks/settings", json=body, repeatable=False))
        return _saved(answer)

    async def update_webhook(self, webhook_id: str, changes: Mapping[str, Any]) -> Webhook:
        body = {"webhookId": webhook_id, **changes}
        return _saved(await self._send(Call("PUT", "/v1/webhooks/settings", json=body)))


def is_ours(post: Post, metadata: Mapping[str, Any]) -> bool:
    """Whether `post` carries the metadata latebot sent: every key both have agrees (a post made by an
    older latebot has fewer keys), and they have one at least."""
    found = post.metadata or {}
    shared = [k for k in metadata if k in found]
    return bool(shared) and all(found[k] == metadata[k] for k in shared)


def _seg(value: str) -> str:
    """An id as one path segment: an id with "/" or "?" must not reach another endpoint."""
    return quote(value, safe="")


def _params(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not params:
        return None
    out = {k: _param(v) for k, v in params.items() if v is not None}
    return out or None


def _param(value: Any) -> Any:
    return ("true" if value else "false") if isinstance(value, bool) else value


def _when(value: datetime | str | None) -> str | None:
    return iso(value) if isinstance(value, datetime) else value


def _saved(answer: Answer) -> Webhook:
    saved = parse(WebhookSaved, json_of(answer.response))
    if saved.webhook is None:
        raise LateError("Late's answer has no webhook in it", body=json_of(answer.response))
    return saved.webhook
