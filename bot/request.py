"""An approval request: the post as drafted (one revision of it) and its state in SQLite."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, field_validator

from bot.clock import iso, parse_iso
from bot.messages import ChatKind, MessageRef, Place
from bot.specifics import Specifics

State = Literal[
    "pending",  # waiting for approval
    "publishing",  # claimed by an approver; Late is being called
    "scheduled",  # Late accepted it for later
    "published",  # live on every platform
    "partial",  # live on some platforms, failed on others
    "draft",  # saved as a draft on Late
    "failed",  # Late refused or failed it
    "duplicate",  # Late already had this content: linked to that post
    "rejected",
    "cancelled",
    "expired",
]
Mode = Literal["schedule", "now", "draft"]
THREAD_PLATFORMS = frozenset({"twitter", "threads", "bluesky"})



def late_metadata(request_id: str, revision: int | None = None, key: str | None = None) -> dict[str, Any]:
    """What latebot writes in a Late post's `metadata`: reconcile recognises its posts by it."""
    metadata: dict[str, Any] = {"latebotRequestId": request_id}
    if revision is not None:
        metadata["latebotRevision"] = revision
    if key is not None:
        metadata["latebotKey"] = key
    return metadata

class Target(BaseModel):
    account_id: str
    platform: str
    username: str


class Media(BaseModel):
    url: str
    type: Literal["image", "video", "gif", "document"] = "image"
    filename: str | None = None


class PostDraft(BaseModel):
    """Everything an approver approves; its hash goes into the audit trail."""

    thread: list[str]
    targets: list[Target]
    mode: Mode = "now"
    scheduled_for: datetime | None = None  # aware, UTC
    timezone: str = "UTC"
    media: list[Media] = Field(default_factory=list)
    profile_id: str | None = None
    specifics: Specifics = Field(default_factory=Specifics)  # per-platform options (first comment, board, ...)
    # The wall time the requester asked for ("YYYY-MM-DD HH:MM" in `timezone`) when the zone skips it
    # (a DST gap): `scheduled_for` is the time it becomes, and the card says so.
    skipped_time: str | None = None

    @field_validator("scheduled_for")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("scheduled_for must be time-zone aware")
        return value.astimezone(UTC) if value is not None else None

    @property
    def text(self) -> str:
        return self.thread[0] if self.thread else ""

    def content_hash(self) -> str:
        payload = self.model_dump(mode="json")
        if payload.get("skipped_time") is None:
            payload.pop("skipped_time", None)  # drafts from before the field hash as they did
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]

    @property
    def dst_note(self) -> str | None:
        """The warning for a time asked for in a DST gap, shown as the time it becomes."""
        if not self.skipped_time or self.scheduled_for is None:
            return None
        local = self.scheduled_for.astimezone(ZoneInfo(self.timezone))
        return (f"{self.skipped_time} does not exist in {self.timezone} (the clocks go forward then), "
                f"so it goes out at {local:%H:%M}, the time it becomes.")

    def late_body(
        self, request_id: str, *, revision: int | None = None, key: str | None = None, update: bool = False
    ) -> dict[str, Any]:
        """The body of `POST /v1/posts` (field names exactly as Late spells them), or with `update`
        of `PUT /v1/posts/{id}`, which keeps a draft a draft unless it says `isDraft: false`.

        `metadata` carries the request id, revision and idempotency key: reconcile finds the post
        by them (Late has no metadata filter; latebot lists and matches)."""
        media = [m.model_dump(exclude_none=True) for m in self.media]
        platforms: list[dict[str, Any]] = []
        for t in self.targets:
            entry: dict[str, Any] = {"platform": t.platform, "accountId": t.account_id}
            specific, _ = self.specifics.for_platform(t.platform, t.account_id)
            if len(self.thread) > 1 and t.platform in THREAD_PLATFORMS:
                items: list[dict[str, Any]] = [{"content": part} for part in self.thread]
                if media:
                    items[0]["mediaItems"] = media
                specific["threadItems"] = items
            if specific:
                entry["platformSpecificData"] = specific
            platforms.append(entry)
        body: dict[str, Any] = {"content": self.text, "platforms": platforms,
                                "metadata": late_metadata(request_id, revision, key)}
        if media:
            body["mediaItems"] = media
        if self.mode == "draft":
            body["isDraft"] = True
            return body
        if update:
            body["isDraft"] = False  # promotes a draft; harmless on a scheduled post
        if self.mode == "now" or self.scheduled_for is None:
            body["publishNow"] = True
        else:
            # The instant, in UTC with Z: never ambiguous when the clocks change. `timezone` only
            # labels it on Late's side (a time with Z is taken as it is).
            body["scheduledFor"] = iso(self.scheduled_for)
            body["timezone"] = self.timezone
        return body


class Outcome(BaseModel):
    """What Late made of an approved request (or, while it is `publishing`, what is known so far)."""

    # scheduled, published, partial, draft, failed, duplicate, plan_limit, cancelled; while the
    # request stays `publishing`: unknown (Late may have it) or publishing (Late is publishing it)
    kind: str
    message: str = ""
    # Late certainly made nothing, and sending it again may work (after a rate limit lifts, an
    # account is reconnected...): the card offers Retry.
    retryable: bool = False
    late_post_id: str | None = None
    permalinks: dict[str, str] = Field(default_factory=dict)  # "platform @user" -> url
    errors: dict[str, str] = Field(default_factory=dict)  # "platform @user" -> reason


class Vote(BaseModel):
    """One approval of the request's current revision."""

    approver_id: str
    approver_name: str
    groups: list[str] = Field(default_factory=list)  # the voter's groups when they voted
    at: datetime


class Author(BaseModel):
    """Who wrote one revision."""

    revision: int
    author_id: str
    author_name: str


class Request(BaseModel):
    id: str
    state: State
    chat: ChatKind
    team: str
    channel: str
    requester_id: str
    requester_name: str
    profile_id: str | None
    revision: int
    draft: PostDraft
    content_hash: str
    idempotency_key: str
    late_post_id: str | None
    outcome: Outcome | None
    approvals_required: int
    allow_self_approval: bool
    created_at: datetime
    updated_at: datetime
    expires_at: datetime | None
    decided_by: str | None  # display name
    decided_by_id: str | None
    decided_at: datetime | None
    reason: str | None
    card: MessageRef | None
    votes: list[Vote] = Field(default_factory=list)  # approvals of the current revision, oldest first
    revisions: list[Author] = Field(default_factory=list)  # who wrote each revision, first to last

    @property
    def place(self) -> Place:
        return Place(chat=self.chat, team=self.team, channel=self.channel)

    @property
    def approvers(self) -> list[str]:
        """Names of those who approved the current revision (display only)."""
        return [v.approver_name for v in self.votes]

    @property
    def authors(self) -> set[str]:
        """Ids of everyone who wrote a revision: each counts as a requester."""
        return {self.requester_id, *(a.author_id for a in self.revisions)}

    @property
    def author(self) -> Author:
        """Who wrote the current revision."""
        for a in reversed(self.revisions):
            if a.revision == self.revision:
                return a
        return Author(revision=self.revision, author_id=self.requester_id, author_name=self.requester_name)

    @classmethod
    def from_row(cls, row: dict[str, Any], votes: list[Vote] | None = None,
                 revisions: list[Author] | None = None) -> Request:
        card = None
        if row.get("card_message_id"):
            card = MessageRef(
                chat=row["card_chat"],
                team=row["team"],
                channel=row["card_channel"],
                message_id=row["card_message_id"],
                thread=row.get("card_thread"),
            )
        return cls(
            id=row["id"],
            state=row["state"],
            chat=row["chat"],
            team=row["team"],
            channel=row["channel"],
            requester_id=row["requester_id"],
            requester_name=row["requester_name"],
            profile_id=row["profile_id"],
            revision=row["revision"],
            draft=PostDraft.model_validate_json(row["draft"]),
            content_hash=row["content_hash"],
            idempotency_key=row["idempotency_key"],
            late_post_id=row["late_post_id"],
            outcome=Outcome.model_validate_json(row["outcome"]) if row["outcome"] else None,
            approvals_required=row["approvals_required"],
            allow_self_approval=bool(row["allow_self_approval"]),
            created_at=parse_iso(row["created_at"]),
            updated_at=parse_iso(row["updated_at"]),
            expires_at=parse_iso(row["expires_at"]) if row["expires_at"] else None,
            decided_by=row["decided_by"],
            decided_by_id=row.get("decided_by_id"),
            decided_at=parse_iso(row["decided_at"]) if row["decided_at"] else None,
            reason=row["reason"],
            card=card,
            votes=votes or [],
            revisions=revisions or [],
        )


def idempotency_key(request_id: str, revision: int) -> str:
    """Stable per approved revision: a retry of the same approval reuses it, an edit gets a new one."""
    return f"latebot-{request_id}-r{revision}"


def stamp(dt: datetime | None) -> str | None:
    return iso(dt) if dt else None
