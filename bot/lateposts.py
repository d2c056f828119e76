"""Late posts latebot did not create (made in Late's dashboard or by another tool): look, delete, retry.

Deleting or retrying someone else's post is for admins only; editing one goes through approval
like any request (see `commands.requests`).
"""

from __future__ import annotations

from bot.errors import Conflict, LateNotFoundError, LateValidationError, NotAllowed, NotFound
from bot.late.client import LateClient
from bot.late.models import Post
from bot.messages import Actor


class LatePosts:
    def __init__(self, late: LateClient) -> None:
        self.late = late

    async def get(self, post_id: str) -> Post:
        try:
            return await self.late.get_post(post_id)
        except (LateNotFoundError, LateValidationError):
            # 400 is how Late may answer an id that is not one of its ids at all.
            raise NotFound(
                f"There is no request or Late post '{post_id}'. /late queue lists the open ones."
            ) from None

    async def delete(self, actor: Actor, post_id: str) -> None:
        await self.get(post_id)
        _require_admin(actor, f"cancel {post_id}: it is a Late post latebot did not create")
        await self.late.delete_post(post_id)

    async def retry(self, actor: Actor, post_id: str) -> Post:
        post = await self.get(post_id)
        _require_admin(actor, f"retry {post_id}: it is a Late post latebot did not create")
        if post.status != "failed":
            raise Conflict(f"Late post {post_id} is {post.status}; Late retries only a post that failed.")
        return await self.late.retry_post(post_id)


def _require_admin(actor: Actor, what: str) -> None:
    if not actor.is_admin:
        raise NotAllowed(f"Only an admin can {what}.")
