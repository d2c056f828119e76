"""Who may decide: approve, reject, edit or cancel a request under its channel's rules."""

from __future__ import annotations

from bot.channels import ChannelConfig
from bot.errors import NotAllowed
from bot.messages import Actor
from bot.request import Request


def authorize_decision(actor: Actor, request: Request, config: ChannelConfig, action: str) -> None:
    """Raise NotAllowed unless `actor` may approve/reject `request` under `config`."""
    own = actor.id == request.requester_id
    if own and not request.allow_self_approval:
        raise NotAllowed(f"You can't {action} your own request; someone else has to.")
    if not config.approvers and not config.approver_groups:
        return  # default policy: any member other than the requester
    if actor.id in config.approvers or actor.name in config.approvers:
        return
    if set(actor.groups) & set(config.approver_groups):
        return
    who = ", ".join([*config.approvers, *config.approver_groups])
    raise NotAllowed(f"Only the approvers of this channel can {action} posts ({who}).")


def authorize_cancel(actor: Actor, request: Request, config: ChannelConfig) -> None:
    if actor.id == request.requester_id or actor.is_admin:
        return
    try:
        authorize_decision(actor, request, config, "cancel")
    except NotAllowed:
        raise NotAllowed("Only the requester, an approver or an admin can cancel this post.") from None
