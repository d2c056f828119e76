"""Forms as Slack modals, and a submitted modal's state back as form values.

Each field is an input block whose `block_id` is the field id (plus `~n` when a view is
re-rendered, so Slack shows the new initial value instead of keeping the old one); the element's
`action_id` is always `value`. Limits: title and submit 24 characters, 100 blocks, label 2,000,
placeholder 150, text input 3,000, option text 75 and value 150, 100 options (more are paged into
option groups of 100), private_metadata 3,000.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from adapters.slack.text import cut
from bot.messages import Form, FormField

log = logging.getLogger("latebot.slack.forms")

View = dict[str, Any]

TITLE = 24
LABEL = 2000
PLACEHOLDER = 150
HINT = 2000
INPUT = 3000
OPTION_TEXT = 75
OPTION_VALUE = 150
OPTIONS = 100
MODAL_BLOCKS = 100
METADATA = 3000
ACTION = "value"


def plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": cut(text, limit) or "-", "emoji": True}


def form_view(form: Form, *, metadata: str = "", notes: Sequence[str] = (),
              rekey: Collection[str] = ()) -> View:
    """The modal for `form`; `notes` are shown above the fields (e.g. files still uploading).

    Fields named in `rekey` get a new block id, so that an update of an open modal shows their
    new value (Slack keeps what is in a block it already shows, matched by block id).
    """
    if len(metadata) > METADATA:
        raise ValueError("private_metadata over 3,000 characters")
    zone = _zone_of(form)
    blocks: list[dict[str, Any]] = [
        {"type": "context", "elements": [plain(note, INPUT)]} for note in notes if note
    ]
    for f in form.fields:
        blocks.append(input_block(f, zone=zone, revision=1 if f.id in rekey else 0))
    return {
        "type": "modal",
        "callback_id": form.id,
        "title": plain(form.title, TITLE),
        "submit": plain(form.submit, TITLE),
        "close": plain("Cancel", TITLE),
        "private_metadata": metadata,
        "blocks": blocks[:MODAL_BLOCKS],
    }


def input_block(f: FormField, *, zone: str = "UTC", revision: int = 0) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": f"{f.id}~{revision}" if revision else f.id,
        "optional": not f.required,
        "label": plain(f.label, LABEL),
        "element": element(f, zone),
    }
    if f.hint:
        block["hint"] = plain(f.hint, HINT)
    return block


def element(f: FormField, zone: str) -> dict[str, Any]:
    if f.kind in ("select", "multiselect") and f.options:
        return _select(f)
    if f.kind == "datetime":
        el: dict[str, Any] = {"type": "datetimepicker", "action_id": ACTION}
        epoch = initial_epoch(f.value if isinstance(f.value, str) else "", zone)
        if epoch is not None:
            el["initial_date_time"] = epoch
        return el
    limit = min(f.max_length or INPUT, INPUT)
    el = {"type": "plain_text_input", "action_id": ACTION, "max_length": limit}
    if f.kind == "textarea":
        el["multiline"] = True
    value = f.value if isinstance(f.value, str) else ", ".join(f.value or [])
    if value:
        el["initial_value"] = cut(value, limit)
    placeholder = f.placeholder
    if not placeholder and f.kind == "multiselect":
        placeholder = "platforms or @handles, comma separated: x, linkedin"
    if placeholder:
        el["placeholder"] = plain(placeholder, PLACEHOLDER)
    return el


def _select(f: FormField) -> dict[str, Any]:
    unique = dict(f.options)
    options = [_option(v, label) for v, label in unique.items() if v and len(v) <= OPTION_VALUE]
    if len(options) < len(unique):
        log.warning("form %s: %d options have values too long for Slack", f.id, len(f.options) - len(options))
    options = options[: OPTIONS * OPTIONS]
    multi = f.kind == "multiselect"
    el: dict[str, Any] = {"type": "multi_static_select" if multi else "static_select", "action_id": ACTION}
    if len(options) <= OPTIONS:
        el["options"] = options
    else:
        el["option_groups"] = [
            {"label": plain(f"{i + 1}–{min(i + OPTIONS, len(options))} of {len(options)}", OPTION_TEXT),
             "options": options[i: i + OPTIONS]}
            for i in range(0, len(options), OPTIONS)
        ]
    chosen = set(f.value) if isinstance(f.value, list) else {f.value} if f.value else set()
    initial = [o for o in options if o["value"] in chosen]
    if multi and initial:
        el["initial_options"] = initial
    elif not multi and initial:
        el["initial_option"] = initial[0]
    return el


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": plain(label or value, OPTION_TEXT), "value": value}


def _zone_of(form: Form) -> str:
    for f in form.fields:
        if f.id in ("tz", "timezone") and isinstance(f.value, str) and f.value:
            try:
                ZoneInfo(f.value)
            except (ZoneInfoNotFoundError, ValueError):
                return "UTC"
            return f.value
    return "UTC"


def initial_epoch(value: str, zone: str) -> int | None:
    """A prefilled time (ISO, or `YYYY-MM-DD HH:MM` in `zone`) as the picker's Unix time."""
    value = value.strip()
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=ZoneInfo(zone))
    return int(dt.timestamp())


# --- submitted state -----------------------------------------------------------------------------


def submitted_values(state: dict[str, Any]) -> dict[str, str | list[str]]:
    """`view.state.values` -> {field id: text, or list for multi-selects; times as ISO UTC}."""
    values: dict[str, str | list[str]] = {}
    for block_id, actions in (state.get("values") or {}).items():
        field_id = block_id.split("~", 1)[0]
        item = (actions or {}).get(ACTION)
        if item is None and actions:
            item = next(iter(actions.values()))
        if isinstance(item, dict):
            values[field_id] = _value_of(item)
    return values


def _value_of(item: dict[str, Any]) -> str | list[str]:
    kind = item.get("type")
    if kind == "multi_static_select":
        return [str(o.get("value", "")) for o in item.get("selected_options") or []]
    if kind == "static_select":
        option = item.get("selected_option") or {}
        return str(option.get("value", ""))
    if kind == "datetimepicker":
        epoch = item.get("selected_date_time")
        if epoch is None:
            return ""
        return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    value = item.get("value")
    return "" if value is None else str(value)
