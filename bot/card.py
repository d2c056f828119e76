"""The approval card: one neutral `Card` per request state, built from the general parts (a section
per account with the text as it will be posted, fields, notes, buttons), rendered by each adapter."""

from __future__ import annotations

from bot import platforms
from bot.clock import describe_time
from bot.messages import Button, Card, CardField, Section, Tone
from bot.request import THREAD_PLATFORMS, PostDraft, Request

__all__ = ["build_card", "describe_time", "parse_revision_ref", "revision_ref", "when_text"]

TITLES: dict[str, tuple[str, Tone]] = {
    "pending": ("Post awaiting approval", "pending"),
    "publishing": ("Publishing…", "pending"),
    "scheduled": ("Scheduled", "success"),
    "published": ("Published", "success"),
    "partial": ("Partly published", "warning"),
    "draft": ("Saved as a draft on Late", "success"),
    "failed": ("Failed", "danger"),
    "duplicate": ("Already posted", "warning"),
    "rejected": ("Rejected", "danger"),
    "cancelled": ("Cancelled", "neutral"),
    "expired": ("Expired", "neutral"),
}


def when_text(draft: PostDraft) -> str:
    if draft.mode == "draft":
        return "Saved as a draft on Late (not published)"
    if draft.mode == "now" or draft.scheduled_for is None:
        return "As soon as it is approved"
    return describe_time(draft.scheduled_for, draft.timezone)


def previews(draft: PostDraft) -> list[Section]:
    """One section per account: how it is counted against the platform's limit, and each part."""
    out: list[Section] = []
    for t in draft.targets:
        parts = draft.thread if t.platform in THREAD_PLATFORMS else draft.thread[:1]
        count = max(platforms.count(p, t.platform) for p in parts) if parts else 0
        limit = platforms.text_limit(t.platform)
        over = limit is not None and count > limit
        counted = f"{count}/{limit}" if limit else str(count)
        title = f"{platforms.display_name(t.platform)} @{t.username.lstrip('@')}  ({counted} characters)"
        if over:
            title += " ⚠ over the limit"
        out.append(Section(title=title, parts=parts, alert=over))
    return out


def warnings(draft: PostDraft) -> list[str]:
    out: list[str] = []
    for t in draft.targets:
        for problem in platforms.validate(draft.thread, draft.media, t.platform, None, has_default=True):
            # Errors were refused at submission; what is left to show is advice.
            if problem.level != "warning":
                continue
            text = f"{platforms.display_name(t.platform)} @{t.username.lstrip('@')}: {problem.message}"
            if text not in out:
                out.append(text)
    return out


def revision_ref(request_id: str, revision: int) -> str:
    """A button's reference to one revision of a request: `<request id>:<revision>`."""
    return f"{request_id}:{revision}"


def parse_revision_ref(ref: str) -> tuple[str, int | None]:
    """`r1:2` -> ('r1', 2); a bare request id (a card from before revisions) -> ('r1', None)."""
    head, sep, tail = ref.rpartition(":")
    if sep and head and tail.isdigit():
        return head, int(tail)
    return ref, None


def build_card(
    request: Request, *, footer: str = "", zone_for_times: str | None = None, who_may_approve: str | None = None
) -> Card:
    """`who_may_approve` describes the approvers under today's rules (shown while it is pending)."""
    draft = request.draft
    title, tone = TITLES[request.state]
    zone = zone_for_times or draft.timezone
    fields = [
        CardField(title="Requested by", value=request.requester_name, inline=True),
        CardField(title="When", value=when_text(draft), inline=True),
        CardField(title="Request", value=request.id, inline=True),
    ]
    if draft.media:
        fields.append(CardField(title="Media", value="\n".join(m.url for m in draft.media)))
    if request.revision > 1:
        author = request.author
        fields.append(CardField(title="Revision", value=f"{request.revision}, by {author.author_name}", inline=True))
    if request.state == "pending":
        if request.approvals_required > 1 or request.votes:
            names = ", ".join(request.approvers)
            fields.append(CardField(
                title="Approvals",
                value=f"{len(request.votes)} of {request.approvals_required}" + (f": {names}" if names else ""),
                inline=True,
            ))
        if who_may_approve:
            fields.append(CardField(title="Who may approve", value=who_may_approve, inline=True))
        if request.expires_at is not None:
            fields.append(CardField(title="Expires", value=describe_time(request.expires_at, zone), inline=True))
    if request.decided_by and request.decided_at:
        verb = {"rejected": "Rejected", "cancelled": "Cancelled", "expired": "Expired"}.get(
            request.state, "Approved"
        )
        fields.append(
            CardField(
                title=f"{verb} by",
                value=f"{request.decided_by}, {describe_time(request.decided_at, zone)}",
            )
        )
    if request.reason:
        fields.append(CardField(title="Reason", value=request.reason))
    outcome = request.outcome
    if outcome is not None:
        if outcome.late_post_id:
            fields.append(CardField(title="Late post", value=outcome.late_post_id, inline=True))
        if outcome.message:
            fields.append(CardField(title="Result", value=outcome.message))
        for name, url in outcome.permalinks.items():
            fields.append(CardField(title=name, value=url))
        for name, why in outcome.errors.items():
            fields.append(CardField(title=f"{name} failed", value=why))
    buttons: list[Button] = []
    if request.state == "pending":
        # The revision goes with each button: a decision is for the text the approver saw.
        ref = revision_ref(request.id, request.revision)
        buttons = [
            Button(label="Approve", action="approve", ref=ref, style="primary"),
            Button(label="Reject", action="reject", ref=ref, style="danger"),
            Button(label="Edit", action="edit", ref=ref),
        ]
    return Card(
        title=title,
        text="" if request.state != "pending" else "Review the post below, then approve, reject or edit it.",
        sections=previews(draft),
        fields=fields,
        notes=warnings(draft) if request.state in ("pending", "publishing") else [],
        buttons=buttons,
        footer=footer,
        tone=tone,
    )

