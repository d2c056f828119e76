"""The strings a button carries, and what they name.

A button's id is `late:<action>:<ref>`; for an approval the reference names one revision of a
request, `<request id>:<revision>`, so that a press on an older card is refused, never applied to
a newer text. Commands name revisions the same way (`/late approve r1:2`). Kept apart from the
message types so that parsing a command does not build them.
"""

from __future__ import annotations

BUTTON_PREFIX = "late"


def custom_id(action: str, ref: str) -> str:
    return f"{BUTTON_PREFIX}:{action}:{ref}"


def parse_custom_id(value: str) -> tuple[str, str] | None:
    """`late:approve:r1:2` -> ('approve', 'r1:2'); anything else -> None."""
    parts = value.split(":", 2)
    if len(parts) != 3 or parts[0] != BUTTON_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def revision_ref(request_id: str, revision: int) -> str:
    """A button's reference to one revision of a request: `<request id>:<revision>`."""
    return f"{request_id}:{revision}"


def parse_revision_ref(ref: str) -> tuple[str, int | None]:
    """`r1:2` -> ('r1', 2); a bare request id (a card from before revisions) -> ('r1', None)."""
    head, sep, tail = ref.rpartition(":")
    if sep and head and tail.isdigit():
        return head, int(tail)
    return ref, None
