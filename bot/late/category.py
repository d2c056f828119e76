"""Late's `errorCategory` of a failed platform entry, in plain words (values as the SDKs list them)."""

from __future__ import annotations

WORDS = {
    "auth_expired": "the account's login expired or was revoked: reconnect it in Late",
    "user_content": "the platform refused the content (format or length)",
    "user_abuse": "the platform's rate or spam limits stopped it",
    "account_issue": "the account's settings on the platform need attention",
    "platform_rejected": "the platform's policy rejected it",
    "platform_error": "the platform had an outage or error; trying again later may work",
    "platform_rate_limit": "the platform is throttling; Late tries again by itself",
    "quota_exhausted": "a shared quota is used up; trying again later is safe",
    "system_error": "Late had an internal error",
}


def explain(reason: str | None, category: str | None) -> str:
    """Late's reason, with what its category means when Late gave one latebot knows."""
    words = WORDS.get(category or "")
    text = reason or "failed"
    return f"{text} ({words})" if words else text
