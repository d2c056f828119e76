"""Per-post options that only some platforms take (`platforms[].platformSpecificData` on Late).

One set of options per post, written once (`title "…"`, `first comment "…"`, `board Recipes`,
`r/python`, `story`, `privacy friends`); each target gets the fields its platform takes, under
the names Late's docs give them (tests/fixtures/late/REFERENCE.md section 4). What a platform
does not take is listed as ignored, so the card can say so; whether a value is right for a
platform is `bot.platforms.validate`'s business.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ContentType = Literal["story", "reel"]
Privacy = Literal["public", "friends", "followers", "private", "unlisted"]
PRIVACIES: tuple[str, ...] = ("public", "friends", "followers", "private", "unlisted")
TIKTOK_PRIVACY: dict[str, str] = {
    "public": "PUBLIC_TO_EVERYONE",
    "friends": "MUTUAL_FOLLOW_FRIENDS",
    "followers": "FOLLOWER_OF_CREATOR",
    "private": "SELF_ONLY",
}
YOUTUBE_VISIBILITY = ("public", "private", "unlisted")
FIRST_COMMENT_PLATFORMS = frozenset({"facebook", "instagram", "linkedin", "youtube", "threads"})
TITLE_PLATFORMS = frozenset({"reddit", "pinterest", "youtube"})
LINK_PLATFORMS = frozenset({"reddit", "pinterest"})
TYPE_PLATFORMS = frozenset({"instagram", "facebook"})
PRIVACY_PLATFORMS = frozenset({"tiktok", "youtube"})
# The words people use for each option, as shown in messages.
LABELS: dict[str, str] = {
    "subreddit": "subreddit", "title": "title", "link": "link", "board": "board",
    "first_comment": "first comment", "content_type": "story/reel type", "privacy": "privacy",
}


class Specifics(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    subreddit: str | None = None  # without "r/"
    title: str | None = None  # Reddit, Pinterest and YouTube titles (Facebook reels too)
    link: str | None = None  # a Pinterest pin's link, a Reddit link post's URL
    board: str | None = None  # the Pinterest board as the user named it
    board_ids: dict[str, str] = Field(default_factory=dict)  # Pinterest account id -> board id, resolved
    board_names: dict[str, str] = Field(default_factory=dict)  # Pinterest account id -> board name
    first_comment: str | None = None
    content_type: ContentType | None = None
    privacy: Privacy | None = None

    def given(self) -> list[str]:
        """The options set, by field name, in a stable order."""
        return [name for name in LABELS if getattr(self, name) is not None]

    def merged(self, changes: Specifics) -> Specifics:
        """These options with every option `changes` sets replaced (an edit)."""
        update: dict[str, Any] = {name: getattr(changes, name) for name in changes.given()}
        if changes.board is not None:
            update |= {"board_ids": {}, "board_names": {}}  # resolved again for the new board
        return self.model_copy(update=update)

    def for_platform(self, platform: str, account_id: str = "") -> tuple[dict[str, Any], list[str]]:
        """The `platformSpecificData` fields for one target, and the options it does not take."""
        data: dict[str, Any] = {}
        used: set[str] = set()

        def put(option: str, key: str, value: Any) -> None:
            if value is not None:
                data[key] = value
                used.add(option)

        story = self.content_type == "story"
        if platform == "reddit":
            put("subreddit", "subreddit", self.subreddit)
            put("title", "title", self.title)
            put("link", "url", self.link)
        elif platform == "pinterest":
            put("board", "boardId", self.board_ids.get(account_id))
            if self.board is not None:
                used.add("board")
            put("title", "title", self.title)
            put("link", "link", self.link)
        elif platform == "youtube":
            put("title", "title", self.title)
            if self.privacy in YOUTUBE_VISIBILITY:
                put("privacy", "visibility", self.privacy)
            elif self.privacy is not None:
                used.add("privacy")  # refused by validation, never sent
            put("first_comment", "firstComment", self.first_comment)
        elif platform == "tiktok":
            if self.privacy in TIKTOK_PRIVACY:
                put("privacy", "privacyLevel", TIKTOK_PRIVACY[self.privacy])
            elif self.privacy is not None:
                used.add("privacy")
        elif platform == "instagram":
            if story:
                put("content_type", "contentType", "story")  # reels need no field: videos become reels
            elif self.content_type == "reel":
                used.add("content_type")  # checked (one video), nothing to send
            if not story:
                put("first_comment", "firstComment", self.first_comment)
        elif platform == "facebook":
            put("content_type", "contentType", self.content_type)
            if self.content_type == "reel":
                put("title", "title", self.title)
            if not story:
                put("first_comment", "firstComment", self.first_comment)
        elif platform in ("linkedin", "threads"):
            put("first_comment", "firstComment", self.first_comment)
        ignored = [name for name in self.given() if name not in used]
        return data, ignored

    def summary(self, platform: str, account_id: str = "") -> str:
        """The options one target gets, as the card shows them."""
        data, _ = self.for_platform(platform, account_id)
        shown: list[str] = []
        for key, value in data.items():
            if key == "subreddit":
                shown.append(f"r/{value}")
            elif key == "boardId":
                shown.append(f"Board: {self.board_names.get(account_id) or self.board or value}")
            elif key == "contentType":
                shown.append(str(value).capitalize())
            else:
                shown.append(f"{_SHOWN.get(key, key)}: {value}")
        return " · ".join(shown)


_SHOWN = {"title": "Title", "url": "Link", "link": "Link", "visibility": "Visibility",
          "privacyLevel": "Privacy", "firstComment": "First comment"}
