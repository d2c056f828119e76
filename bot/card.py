"""The approval card: one neutral `Card` per request state, built from the general parts (a section
per account with the text as it will be posted, fields, notes, buttons), rendered by each adapter."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import glyphs, platforms
from bot.clock import describe_time
from bot.messages import Button, Card, CardField, Section, Tone
from bot.refs import revision_ref
from bot.request import THREAD_PLATFORMS, PostDraft, Request

if TYPE_CHECKING:
    from bot.requests import AuditEntry


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
        title = f"{platforms.account_label(t.platform, t.username)}  ({counted} characters)"
        if over:
            title += " ⚠ over the limit"
        # The options this account gets (board, title, first comment, ...), as Late receives them.
        out.append(Section(title=title, text=draft.specifics.summary(t.platform, t.account_id), parts=parts,
                           alert=over))
    return out


def warnings(draft: PostDraft) -> list[str]:
    out: list[str] = [draft.dst_note] if draft.dst_note else []
    out += list(dict.fromkeys(w for part in draft.thread for w in glyphs.hazards(part)))
    for t in draft.targets:
        for problem in platforms.validate(draft.thread, draft.media, t.platform, None, has_default=True,
                                          options=draft.specifics, account_id=t.account_id):
            # Errors were refused at submission; what is left to show is advice.
            if problem.level != "warning":
                continue
            text = f"{platforms.account_label(t.platform, t.username)}: {problem.message}"
            if text not in out:
                out.append(text)
    return out




def build_card(
    request: Request, *, footer: str = "", who_may_approve: str | None = None
) -> Card:
    """`who_may_approve` describes the approvers under today's rules (shown while it is pending)."""
    draft = request.draft
    title, tone = TITLES[request.state]
    zone = draft.timezone
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
        if request.outcome is not None and request.outcome.kind in ("cancelled", "deleted"):
            verb = "Approved"  # cancelled on Late, not by whoever decided it here
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
    elif request.state in ("failed", "partial") and (
        request.late_post_id or (outcome is not None and (outcome.retryable or outcome.late_post_id))
    ):
        # Late made nothing (a rate limit, a disconnected account), or has the post and failed it (wholly,
        # or on some platforms: those are sent again on their own).
        buttons = [Button(label="Retry", action="retry", ref=request.id, style="primary")]
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



# audit action -> what the history says happened (the states it moved between follow).
_DONE = {
    "submit": "asked for approval", "approve": "approved", "quorum": "had enough approvals under new rules",
    "reject": "rejected it", "edit": "edited it", "cancel": "cancelled it", "expire": "it expired",
    "publish": "sent it to Late", "reconcile": "checked it with Late", "retry": "retried it on Late",
    "follow-up": "followed it up on Late",
}


def history_line(entry: AuditEntry, revision: int, zone: str) -> str:
    what = _DONE.get(entry.action, entry.action)
    detail = entry.detail
    if entry.action == "approve" and "approvals" in detail and "required" in detail:
        what += f" ({detail['approvals']} of {detail['required']})"
    moved = f"{entry.from_state} → {entry.to_state}" if entry.from_state and entry.to_state != entry.from_state \
        else (entry.to_state or "")
    line = f"{describe_time(entry.at, zone)} · {entry.actor} {what} · revision {revision}"
    if moved:
        line += f" · {moved}"
    if entry.late_post_id and entry.action not in ("submit", "approve"):
        line += f" · Late post {entry.late_post_id}"
    return line


def history_card(request: Request, entries: list[AuditEntry], zone: str) -> Card:
    """A request's audit trail: who did what, when, to which revision, and which Late post."""
    lines: list[str] = []
    revision = 1
    for entry in entries:
        if isinstance(entry.detail.get("revision"), int):  # edits and approvals name theirs
            revision = entry.detail["revision"]
        lines.append(history_line(entry, revision, zone))
    title, tone = TITLES[request.state]
    fields = [CardField(title="Request", value=request.id, inline=True),
              CardField(title="Now", value=f"{title}, revision {request.revision}", inline=True)]
    if request.late_post_id:
        fields.append(CardField(title="Late post", value=request.late_post_id, inline=True))
    if request.reason:
        fields.append(CardField(title="Reason", value=request.reason))
    return Card(title=f"History of {request.id}", text=snippet(request.draft.text),
                sections=[Section(title="What happened", text="\n".join(lines) or "Nothing recorded.")],
                fields=fields, tone=tone)


def snippet(text: str, limit: int = 120) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
