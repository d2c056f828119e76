"""The draft of a post: from a parsed post command (or a submitted form) to a `PostDraft` the approval
workflow accepts, refused at once when Late would certainly refuse it."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from bot import platforms, urls
from bot.errors import ParseError, UserError
from bot.late.models import Account
from bot.late.pinterest import PinterestBoards
from bot.request import Media, PostDraft, Target
from commands.model import EditCommand, PostCommand
from commands.targets import resolve_targets
from commands.text import split_thread

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


def media_items(addresses: Sequence[str]) -> list[Media]:
    """The media of a post; anything Late could not fetch (not public https) is refused with why."""
    out = []
    for url in addresses:
        url = url.strip()
        if not url:
            continue
        if why := urls.problem(url):
            raise ParseError(why, example='/late post "New photo" to ig with https://example.com/photo.jpg')
        out.append(Media(url=url, type=platforms.guess_media_type(url)))
    return out


@dataclass(frozen=True)
class Lookups:
    """What Late says about the target accounts, which some options need."""

    defaults: Collection[str] = ()  # accounts with a default subreddit (or, in older answers, board)
    boards: Mapping[str, PinterestBoards] = field(default_factory=dict)  # Pinterest account id -> boards


def with_boards(draft: PostDraft, boards: Mapping[str, PinterestBoards]) -> PostDraft:
    """The draft with a board chosen for each Pinterest account, as the user named it, else the
    account's default or only board. Late would pin to the first board when none is sent, which
    nobody chose, so with several boards and none named the user is asked."""
    chosen, names = dict(draft.specifics.board_ids), dict(draft.specifics.board_names)
    wanted = (draft.specifics.board or "").strip()
    for t in draft.targets:
        if t.platform != "pinterest" or (t.account_id in chosen and not wanted):
            continue
        answer = boards.get(t.account_id)
        if answer is None:
            continue  # unknown: `check` refuses it unless the account has a default
        listed = ", ".join(f"“{b.name or b.id}”" for b in answer.boards) or "none"
        if wanted:
            board = next((b for b in answer.boards if wanted.lower() in (b.id.lower(), (b.name or "").lower())),
                         None)
            if board is None:
                raise ParseError(f"Pinterest @{t.username.lstrip('@')} has no board “{wanted}”; its boards: {listed}.",
                                 example=f'/late post "…" to pinterest board "{_first_board(answer)}"')
        else:
            default = next((b for b in answer.boards if b.id == answer.default_board_id), None)
            board = default or (answer.boards[0] if len(answer.boards) == 1 else None)
            if board is None:
                if not answer.boards:
                    raise UserError(f"Pinterest @{t.username.lstrip('@')} has no boards yet; create one on "
                                    "Pinterest first.")
                raise ParseError(f"Which Pinterest board should it go to? @{t.username.lstrip('@')} has {listed}.",
                                 example=f'/late post "…" to pinterest board "{_first_board(answer)}"')
        chosen[t.account_id], names[t.account_id] = board.id, board.name or board.id
    specifics = draft.specifics.model_copy(update={"board_ids": chosen, "board_names": names})
    return draft.model_copy(update={"specifics": specifics})


def _first_board(answer: PinterestBoards) -> str:
    return (answer.boards[0].name or answer.boards[0].id) if answer.boards else "Recipes"


def draft_from_command(
    cmd: PostCommand, targets: Sequence[Target], profile_id: str, lookups: Lookups | None = None
) -> PostDraft:
    """The draft of `cmd` to `targets` (its targets resolved: `pick_targets`)."""
    lookups = lookups or Lookups()
    draft = PostDraft(
        thread=list(cmd.thread),
        targets=list(targets),
        mode=cmd.mode,
        scheduled_for=cmd.scheduled_for,
        timezone=cmd.timezone,
        media=media_items(cmd.media),
        profile_id=profile_id,
        specifics=cmd.options,
        skipped_time=cmd.skipped_time,
    )
    draft = with_boards(draft, lookups.boards)
    check(draft, lookups.defaults)
    return draft


def check(draft: PostDraft, defaults: Collection[str] = ()) -> None:
    """Refuse what Late would certainly reject; warnings go on the card instead.

    `defaults` holds the ids of accounts with a default Pinterest board or subreddit set in Late.
    """
    errors = []
    for t in draft.targets:
        has_default = t.account_id in defaults
        for problem in platforms.validate(draft.thread, draft.media, t.platform, None, has_default,
                                          options=draft.specifics, account_id=t.account_id):
            if problem.level == "error":
                errors.append(f"{platforms.display_name(t.platform)}: {problem.message}")
    if errors:
        raise UserError("Late would refuse this post:\n- " + "\n- ".join(dict.fromkeys(errors)))


def edited(draft: PostDraft, change: EditCommand, accounts: Sequence[Account]) -> PostDraft:
    """The draft with what the edit names changed (its boards still to be chosen: `with_boards`)."""
    update: dict[str, object] = {"specifics": draft.specifics.merged(change.options)}
    if change.text is not None:
        update["thread"] = split_thread(change.text)
    if change.targets is not None:
        update["targets"] = pick_targets(change.targets, accounts)
    if change.mode is not None:
        update |= {"mode": change.mode, "scheduled_for": change.scheduled_for, "skipped_time": change.skipped_time}
    if change.timezone is not None:
        update["timezone"] = change.timezone
    if change.media is not None:
        update["media"] = media_items(change.media)
    # Validated again: the new time becomes UTC, as every draft's is.
    return PostDraft.model_validate(draft.model_copy(update=update).model_dump())


def accounts_of(draft: PostDraft) -> list[Account]:
    """The draft's targets as accounts (when the directory no longer lists them)."""
    return [Account.model_validate({"_id": t.account_id, "platform": t.platform, "username": t.username})
            for t in draft.targets]
