"""Who may decide a request, computed at the moment of each decision.

The model: approval rules belong to the brand (the Late profile, `bot.brands`), wherever a post for
it is requested. A channel may add rules of its own (`bot.channels`), which only tighten:
- approvers: when both the brand and the channel name approvers, a decider must be allowed by both;
- approvals needed: the larger number; expiry: the shorter one;
- self-approval: allowed only when the brand allows it and the channel does not forbid it, and for a
  request made while it was off, never (the stricter of the request's rule and today's).
Everyone who wrote a revision of a request counts as its requester. Identities are platform user
ids (and group or role ids), never names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.brands import BrandRules, Brands, qualified, workspace
from bot.channels import ChannelConfig, Channels
from bot.errors import NotAllowed
from bot.messages import Actor, Place
from bot.request import Request
from bot.store import Tx


@dataclass(frozen=True)
class Policy:
    place: Place  # the channel the request was made in
    brand: BrandRules
    channel: ChannelConfig

    # --- the numbers ----------------------------------------------------------------------

    @property
    def approvals_required(self) -> int:
        return max(self.brand.approvals_required, self.channel.approvals_required or 1)

    @property
    def allow_self_approval(self) -> bool:
        return self.brand.allow_self_approval and self.channel.allow_self_approval is not False

    @property
    def expiry_hours(self) -> int:
        return min(self.brand.expiry_hours, self.channel.expiry_hours or self.brand.expiry_hours)

    @property
    def approval_place(self) -> Place:
        channel = (self.channel.approval_channel
                   or self.brand.approval_channels.get(workspace(self.place.chat, self.place.team))
                   or self.place.channel)
        return Place(chat=self.place.chat, team=self.place.team, channel=channel)

    # --- who -----------------------------------------------------------------------------

    @property
    def brand_users(self) -> list[str]:
        return self.brand.approvers_in(self.place.chat, self.place.team)

    @property
    def brand_groups(self) -> list[str]:
        return self.brand.groups_in(self.place.chat, self.place.team)

    @property
    def restricted(self) -> bool:
        """Whether only named approvers may decide (else: anyone but the requesters)."""
        return self.brand.has_approvers or self.channel.has_approvers

    @property
    def nobody_here(self) -> bool:
        """The brand names approvers, but none in this workspace: no one here may decide."""
        return self.brand.has_approvers and not (self.brand_users or self.brand_groups)

    def allows(self, user_id: str, groups: Iterable[str]) -> bool:
        """Whether this user (with these groups) is an approver under these rules."""
        groups = set(groups)
        if self.brand.has_approvers and not (user_id in self.brand_users or groups & set(self.brand_groups)):
            return False
        channel_users = self.channel.approvers or []
        channel_groups = self.channel.approver_groups or []
        return not self.channel.has_approvers or user_id in channel_users or bool(groups & set(channel_groups))

    def countable_approvers(self) -> int | None:
        """How many named users may approve, when that is known (no groups involved), else None."""
        if self.brand_groups or self.channel.approver_groups:
            return None
        if self.brand.has_approvers and self.channel.has_approvers:
            return len(set(self.brand_users) & set(self.channel.approvers or []))
        if self.brand.has_approvers:
            return len(set(self.brand_users))
        if self.channel.has_approvers:
            return len(set(self.channel.approvers or []))
        return None

    def approver_ids(self) -> tuple[list[str], list[str]]:
        """The user and group ids named as approvers here (both rules together), for display."""
        users = list(dict.fromkeys([*self.brand_users, *(self.channel.approvers or [])]))
        groups = list(dict.fromkeys([*self.brand_groups, *(self.channel.approver_groups or [])]))
        return users, groups


def who_may_approve(policy: Policy) -> str:
    if not policy.restricted:
        return "anyone, the requester too" if policy.allow_self_approval else "anyone but the requester"
    if policy.nobody_here:
        return "nobody in this workspace (the brand's approvers are elsewhere)"
    labels = {**policy.brand.labels, **(policy.channel.labels or {})}
    here = qualified(policy.place.chat, policy.place.team, "")
    users, groups = policy.approver_ids()

    def shown(ident: str) -> str:
        return "@" + (labels.get(here + ident) or labels.get(ident) or ident)

    names = [shown(u) for u in users] + [f"a member of {shown(g)}" for g in groups]
    both = policy.brand.has_approvers and policy.channel.has_approvers
    return " or ".join(names) + (" (allowed by both the brand and this channel)" if both else "")


class Policies:
    def __init__(self, brands: Brands, channels: Channels) -> None:
        self.brands = brands
        self.channels = channels

    async def for_place(self, place: Place, profile_id: str | None) -> Policy:
        # Both rules in one trip to the store (every press and every request asks for its policy).
        return await self.brands.store.look(lambda tx: self.read(tx, place, profile_id))

    async def for_request(self, request: Request) -> Policy:
        return await self.for_place(request.place, request.profile_id)

    def read(self, tx: Tx, place: Place, profile_id: str | None) -> Policy:
        """The rules for `place`, read with the other reads of one trip to the store."""
        place = Place(chat=place.chat, team=place.team, channel=place.channel)
        return Policy(place=place, brand=self.brands.read(tx, profile_id), channel=self.channels.read(tx, place))


def counts_for(request: Request, policy: Policy) -> Callable[[str, list[str]], bool]:
    """Whether a recorded vote counts now: its voter is an approver under today's rules, and not one
    of the request's authors unless self-approval is allowed by both the request and today's rules."""
    self_ok = request.allow_self_approval and policy.allow_self_approval

    def counts(voter: str, groups: list[str]) -> bool:
        return policy.allows(voter, groups) and (self_ok or voter not in request.authors)

    return counts


def is_author(actor: Actor, request: Request) -> bool:
    return actor.id in request.authors


def authorize_decision(actor: Actor, request: Request, policy: Policy, action: str) -> None:
    """Raise NotAllowed unless `actor` may approve/reject `request` under `policy` now."""
    if is_author(actor, request) and not (request.allow_self_approval and policy.allow_self_approval):
        who = "your own request" if actor.id == request.requester_id else "a request you edited"
        raise NotAllowed(f"You can't {action} {who}; someone else has to.")
    if policy.nobody_here:
        raise NotAllowed(f"No one in this workspace may {action} posts of this brand: its approvers are "
                         "set elsewhere. An admin can name approvers here with /late config approvers.")
    if not policy.allows(actor.id, actor.groups):
        raise NotAllowed(f"Only the brand's approvers can {action} its posts here: {who_may_approve(policy)}.")


def authorize_cancel(actor: Actor, request: Request, policy: Policy) -> None:
    """The requesters, the approvers and admins may cancel; under the default policy only the first and last."""
    if is_author(actor, request) or actor.is_admin:
        return
    if policy.restricted and not policy.nobody_here and policy.allows(actor.id, actor.groups):
        return
    raise NotAllowed("Only the requester, an approver or an admin can cancel this post.")
