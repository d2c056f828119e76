"""The sandbox's plan: its limits, what has been used of them, and the 403s Late gives at a limit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from adapters.sandbox.inbound import Refusal
from bot.store import Tx


@dataclass(frozen=True)
class Plan:
    name: str = "Sandbox"
    uploads: int = -1  # posts per billing period; -1 is unlimited
    profiles: int = 50
    billing_period: str = "monthly"


def uploads_used(tx: Tx) -> int:
    row = tx.one("SELECT count(*) AS n FROM sandbox_posts WHERE counted = 1")
    return int(row["n"]) if row else 0


def profiles_used(tx: Tx) -> int:
    row = tx.one("SELECT count(*) AS n FROM sandbox_profiles")
    return int(row["n"]) if row else 0


def check_upload(plan: Plan, tx: Tx) -> None:
    used = uploads_used(tx)
    if plan.uploads >= 0 and used >= plan.uploads:
        raise Refusal(
            403,
            f"Post limit reached. Your {plan.name} plan allows {plan.uploads} posts per month. "
            f"You have used {used}.",
            planName=plan.name,
            limit=plan.uploads,
            current=used,
            billingPeriod=plan.billing_period,
        )


def usage_doc(plan: Plan, tx: Tx, signup: str) -> dict[str, Any]:
    uploads, profiles = uploads_used(tx), profiles_used(tx)
    return {
        "planName": plan.name,
        "billingPeriod": plan.billing_period,
        "signupDate": signup,
        "limits": {"uploads": plan.uploads, "profiles": plan.profiles},
        "usage": {"uploads": uploads, "profiles": profiles, "lastReset": signup},
        "canUpload": plan.uploads < 0 or uploads < plan.uploads,
        "canCreateProfile": profiles < plan.profiles,
    }
