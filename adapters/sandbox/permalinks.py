"""Permalinks that look like each platform's own, derived from the post id so they are stable."""

from __future__ import annotations

import hashlib

_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _number(seed: str) -> int:
    return int.from_bytes(hashlib.sha256(seed.encode()).digest()[:16], "big")


def _digits(seed: str, length: int) -> str:
    return str(_number(seed)).rjust(length, "1")[:length]


def _code(seed: str, length: int, alphabet: str) -> str:
    n, out = _number(seed), []
    for _ in range(length):
        n, r = divmod(n, len(alphabet))
        out.append(alphabet[r])
    return "".join(out)


def platform_post_id(post_id: str, platform: str) -> str:
    seed = f"{post_id}:{platform}"
    if platform in ("instagram", "threads", "youtube"):
        return _code(seed, 11, _B64)
    if platform == "bluesky":
        return _code(seed, 13, _B36[:32])
    if platform == "reddit":
        return _code(seed, 7, _B36)
    return _digits(seed, 19)


def permalink(platform: str, username: str, native_id: str, *, subreddit: str | None = None) -> str:
    handle = username.lstrip("@")
    match platform:
        case "twitter":
            return f"https://x.com/{handle}/status/{native_id}"
        case "linkedin":
            return f"https://www.linkedin.com/feed/update/urn:li:share:{native_id}/"
        case "instagram":
            return f"https://www.instagram.com/p/{native_id}/"
        case "threads":
            return f"https://www.threads.net/@{handle}/post/{native_id}"
        case "bluesky":
            return f"https://bsky.app/profile/{handle}/post/{native_id}"
        case "facebook":
            return f"https://www.facebook.com/{handle}/posts/{native_id}"
        case "tiktok":
            return f"https://www.tiktok.com/@{handle}/video/{native_id}"
        case "youtube":
            return f"https://www.youtube.com/watch?v={native_id}"
        case "pinterest":
            return f"https://www.pinterest.com/pin/{native_id[:18]}/"
        case "reddit":
            where = (subreddit or f"u_{handle}").removeprefix("r/")
            return f"https://www.reddit.com/r/{where}/comments/{native_id}/"
        case "telegram":
            return f"https://t.me/{handle}/{int(native_id) % 100000}"
        case _:
            return f"https://{platform}.example/{handle}/{native_id}"
