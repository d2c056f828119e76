"""Reddit: the subreddits an account may post to, and a subreddit's feed."""

from __future__ import annotations

from pydantic import AliasChoices, Field

from bot.late.base import LateModel


class Subreddit(LateModel):
    name: str
    # Late passes Reddit's own snake_case name through here.
    display_name_prefixed: str | None = Field(default=None, alias="display_name_prefixed")


class RedditSubreddits(LateModel):
    subreddits: list[Subreddit] = Field(default_factory=list)
    default_subreddit: str | None = None


class RedditFeedItem(LateModel):
    id: str
    fullname: str | None = None
    title: str | None = None
    author: str | None = None
    subreddit: str | None = None
    url: str | None = None
    permalink: str | None = None
    selftext: str | None = None
    created_utc: float | None = None
    score: int | None = None
    num_comments: int | None = None
    over18: bool | None = None
    stickied: bool | None = None
    flair_text: str | None = None


class RedditFeed(LateModel):
    # The guide says `items`; the OpenAPI schema of the Node SDK says `posts`.
    items: list[RedditFeedItem] = Field(default_factory=list, validation_alias=AliasChoices("items", "posts"))
    after: str | None = None
    before: str | None = None
