"""The draft of a post: from a parsed post command (or a submitted form) to a `PostDraft` the approval
workflow accepts, refused at once when Late would certainly refuse it."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from bot import platforms
from bot.errors import ParseError, UserError
from bot.late.models import Account
from bot.request import Media, PostDraft, Target
from commands.model import PostCommand
from commands.targets import resolve_targets

EXAMPLE = '/late post "Launch day!" to x,linkedin tomorrow 9am'


def to_targets(accounts: Sequence[Account]) -> list[Target]:
    return [Target(account_id=a.id, platform=a.platform, username=a.username or a.display_name or a.id)
            for a in accounts]


def pick_targets(words: Sequence[str], accounts: Sequence[Account]) -> list[Target]:
    if not accounts:
        raise UserError("This channel's Late profile has no connected accounts yet; connect one in Late first.")
    if not words:
        if len(accounts) == 1:
            return to_targets(accounts)
        handles = ", ".join(f"{a.platform} (@{(a.username or '').lstrip('@')})" for a in accounts)
        raise ParseError(f"Say where to post it. Accounts here: {handles}.", example=EXAMPLE)
    # Forms send account ids (a multi-select); typed commands send platforms and handles.
    by_id = {a.id.lower(): a for a in accounts}
    if all(w.lower() in by_id for w in words):
        return to_targets([by_id[w.lower()] for w in dict.fromkeys(words)])
    return to_targets(resolve_targets(list(words), list(accounts)))


def media_items(urls: Sequence[str]) -> list[Media]:
    out = []
    for url in urls:
        url = url.strip()
        if not url:
            continue
        if not url.startswith(("http://", "https://")):
            raise ParseError(f"'{url}' is not a media URL (it must start with https://).",
                             example='/late post "New photo" to ig with https://example.com/photo.jpg')
        out.append(Media(url=url, type=platforms.guess_media_type(url)))
    return out


def draft_from_command(
    cmd: PostCommand, accounts: Sequence[Account], profile_id: str, defaults: Collection[str] = ()
) -> PostDraft:
    draft = PostDraft(
        thread=list(cmd.thread),
        targets=pick_targets(cmd.targets, accounts),
        mode=cmd.mode,
        scheduled_for=cmd.scheduled_for,
        timezone=cmd.timezone,
        media=media_items(cmd.media),
        profile_id=profile_id,
        skipped_time=cmd.skipped_time,
    )
    check(draft, defaults)
    return draft


def check(draft: PostDraft, defaults: Collection[str] = ()) -> None:
    """Refuse what Late would certainly reject; warnings go on the card instead.

    `defaults` holds the ids of accounts with a default Pinterest board or subreddit set in Late.
    """
    errors = []
    for t in draft.targets:
        has_default = t.account_id in defaults
        for problem in platforms.validate(draft.thread, draft.media, t.platform, None, has_default):
            if problem.level == "error":
                errors.append(f"{platforms.display_name(t.platform)}: {problem.message}")
    if errors:
        raise UserError("Late would refuse this post:\n- " + "\n- ".join(dict.fromkeys(errors)))


def accounts_of(draft: PostDraft) -> list[Account]:
    """The draft's targets as accounts (when the directory no longer lists them)."""
    return [Account.model_validate({"_id": t.account_id, "platform": t.platform, "username": t.username})
            for t in draft.targets]
