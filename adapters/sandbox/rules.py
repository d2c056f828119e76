"""What Late refuses with a 400 when a post is created or changed, and when the post is due."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from adapters.sandbox.inbound import Refusal
from adapters.sandbox.tables import account_row, settings_of
from bot.clock import iso
from bot.store import Tx

Mode = Literal["draft", "now", "scheduled"]
MEDIA_TYPES = ("image", "video", "gif", "document")
_EXT = {
    ".jpg": "image",
    ".jpeg": "image",
    ".png": "image",
    ".webp": "image",
    ".gif": "gif",
    ".mp4": "video",
    ".mov": "video",
    ".m4v": "video",
    ".webm": "video",
    ".pdf": "document",
}
_NEEDS_MEDIA = {"instagram": "Instagram", "tiktok": "TikTok", "snapchat": "Snapchat"}


@dataclass
class Target:
    entry: dict[str, Any]  # as sent, with accountId resolved
    account: dict[str, Any]  # the sandbox_accounts row

    @property
    def psd(self) -> dict[str, Any]:
        value = self.entry.get("platformSpecificData")
        return value if isinstance(value, dict) else {}


@dataclass
class Checked:
    content: str
    targets: list[Target]
    media: list[dict[str, Any]]
    mode: Mode
    due: datetime | None  # UTC; None for drafts and immediate posts
    timezone: str
    extra: dict[str, Any] = field(default_factory=dict)  # tags, metadata, title

    @property
    def due_at(self) -> str | None:
        """When the publisher should pick it up; only scheduled posts have one."""
        return iso(self.due) if self.mode == "scheduled" and self.due else None


def check(tx: Tx, body: dict[str, Any], now: datetime) -> Checked:
    content = body.get("content") or ""
    if not isinstance(content, str):
        raise Refusal(400, "content must be a string")
    media = media_items(body.get("mediaItems"))
    targets = resolve_targets(tx, body.get("platforms"))
    timezone = body.get("timezone") or "UTC"
    mode, due = schedule(body, timezone, now)
    custom_everywhere = bool(targets) and all(t.entry.get("customContent") for t in targets)
    if not content.strip() and not media and not custom_everywhere:
        raise Refusal(400, "Content is required for text-only posts")
    if mode != "draft":
        if not targets:
            raise Refusal(400, "At least one platform is required")
        for t in targets:
            platform_rules(t, content, media)
    extra = {k: body[k] for k in ("tags", "metadata", "title") if body.get(k) is not None}
    if "metadata" in extra and not isinstance(extra["metadata"], dict):
        raise Refusal(400, "metadata must be an object")
    if "tags" in extra and not (
        isinstance(extra["tags"], list) and all(isinstance(t, str) for t in extra["tags"])
    ):
        raise Refusal(400, "tags must be a list of strings")
    return Checked(content, targets, media, mode, due, timezone, extra)


def media_items(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise Refusal(400, "mediaItems must be a list")
    items = []
    for i, item in enumerate(value):
        url = item.get("url") if isinstance(item, dict) else None
        if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
            raise Refusal(400, f"mediaItems[{i}].url must be an http(s) URL")
        kind = item.get("type") or next(
            (t for e, t in _EXT.items() if urlsplit(url).path.lower().endswith(e)), "image"
        )
        if kind not in MEDIA_TYPES:
            raise Refusal(400, f"mediaItems[{i}].type must be one of {', '.join(MEDIA_TYPES)}")
        items.append({**item, "type": kind})
    return items


def resolve_targets(tx: Tx, value: Any) -> list[Target]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise Refusal(400, "platforms must be a list")
    targets = []
    for i, entry in enumerate(value):
        if not isinstance(entry, dict) or not isinstance(entry.get("accountId"), str | dict):
            raise Refusal(400, f"platforms[{i}].accountId is required")
        ref = entry["accountId"]
        account_id = ref.get("_id") if isinstance(ref, dict) else ref
        account = account_row(tx, account_id)
        if account is None:
            raise Refusal(400, f"Account {account_id} not found", details={"accountId": account_id})
        platform = entry.get("platform") or account["platform"]
        if platform != account["platform"]:
            raise Refusal(400, f"Account {account_id} is a {account['platform']} account, not {platform}")
        targets.append(Target({**entry, "platform": platform, "accountId": account_id}, account))
    return targets


def platform_rules(t: Target, content: str, media: list[dict[str, Any]]) -> None:
    platform = t.account["platform"]
    own_media = media_items(t.entry.get("customMedia")) or media
    text = t.entry.get("customContent") or content
    if not text.strip() and not own_media:
        raise Refusal(400, "Content is required for text-only posts", details={"platform": platform})
    if platform in _NEEDS_MEDIA and not own_media:
        raise Refusal(
            400,
            f"{_NEEDS_MEDIA[platform]} requires at least one image or video",
            details={"platform": platform},
        )
    videos = [m for m in own_media if m["type"] == "video"]
    if platform == "youtube" and (len(videos) != 1 or len(own_media) != 1):
        raise Refusal(400, "YouTube requires exactly one video in mediaItems", details={"platform": platform})
    settings = settings_of(t.account)
    if platform == "pinterest" and not (t.psd.get("boardId") or settings.get("defaultBoardId")):
        raise Refusal(
            400,
            "Pinterest requires platformSpecificData.boardId or a default board",
            details={"platform": platform},
        )
    if platform == "reddit" and not (t.psd.get("subreddit") or settings.get("defaultSubreddit")):
        raise Refusal(
            400,
            "Reddit requires platformSpecificData.subreddit or a default subreddit",
            details={"platform": platform},
        )


def schedule(body: dict[str, Any], timezone: str, now: datetime) -> tuple[Mode, datetime | None]:
    """Drafts win over publishNow, which wins over scheduledFor; with none of them a post is a draft."""
    when = body.get("scheduledFor")
    due = parse_when(when, timezone) if when else None
    if body.get("isDraft") or (due is None and not body.get("publishNow")):
        return "draft", due  # a draft keeps the time it was given, for later
    if body.get("publishNow") or due is None:
        return "now", None
    # A time already past is published in the same request, as Late does.
    return ("now", None) if due <= now else ("scheduled", due)


def parse_when(value: Any, timezone: str) -> datetime:
    """`2026-01-15T10:00:00Z` as is; `2026-01-15T10:00:00` as wall time in `timezone`."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise Refusal(400, f"Invalid timezone: {timezone}") from None
    if not isinstance(value, str):
        raise Refusal(400, "scheduledFor must be an ISO 8601 date-time")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace(" ", "T"))
    except ValueError:
        raise Refusal(400, f"Invalid scheduledFor: {value}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)
