"""`GET /v1/accounts/{id}/reddit-subreddits`: the subreddits a Reddit account may post to."""

from __future__ import annotations

from pydantic import Field

from bot.late.base import LateModel


class Subreddit(LateModel):
    name: str
    # Late passes Reddit's own snake_case name through here.
    display_name_prefixed: str | None = Field(default=None, alias="display_name_prefixed")


class RedditSubreddits(LateModel):
    subreddits: list[Subreddit] = Field(default_factory=list)
    default_subreddit: str | None = None
