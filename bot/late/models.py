"""Every Late wire model in one import; each lives in the module named after it."""

from __future__ import annotations

from bot.late.account import (
    Account,
    AccountHealth,
    AccountHealthDetail,
    HealthReport,
    HealthSummary,
    Permissions,
    Scope,
    TokenStatus,
)
from bot.late.base import LateModel
from bot.late.body import CreatePostBody, PlatformTarget, UpdatePostBody
from bot.late.connect import ConnectUrl
from bot.late.media import MediaFile, MediaPresign, MediaUpload, UploadedFile, media_from_url
from bot.late.pinterest import PinterestBoard, PinterestBoards
from bot.late.post import (
    POST_STATUSES,
    CreatePostResult,
    MediaItem,
    Pagination,
    PlatformEntry,
    PlatformResult,
    Post,
    PostPage,
)
from bot.late.profile import Profile, ProfileRef
from bot.late.reddit import RedditSubreddits, Subreddit
from bot.late.usage import UsageCounts, UsageLimits, UsageStats

__all__ = [
    "POST_STATUSES",
    "Account",
    "AccountHealth",
    "AccountHealthDetail",
    "ConnectUrl",
    "CreatePostBody",
    "CreatePostResult",
    "HealthReport",
    "HealthSummary",
    "LateModel",
    "MediaFile",
    "MediaItem",
    "MediaPresign",
    "MediaUpload",
    "Pagination",
    "Permissions",
    "PinterestBoard",
    "PinterestBoards",
    "PlatformEntry",
    "PlatformResult",
    "PlatformTarget",
    "Post",
    "PostPage",
    "Profile",
    "ProfileRef",
    "RedditSubreddits",
    "Scope",
    "Subreddit",
    "TokenStatus",
    "UpdatePostBody",
    "UploadedFile",
    "UsageCounts",
    "UsageLimits",
    "UsageStats",
    "media_from_url",
]
