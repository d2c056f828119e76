"""Neutral forms <-> Discord modals.

A Discord modal holds at most five text inputs (short or paragraph). Selects, multiselects and
date-times become text inputs prefilled with their value as text; when a form has more than five
fields, the fields from the fifth on share one paragraph input, one `id: value` line each.
The modal's custom_id is the form id (`late:post`, `late:reject:<id>`, ...), so a submission is
understood without memory; the opened forms are remembered only to map option labels back.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any

import discord

from adapters.discord.render import clip
from bot.messages import Form, FormField

INPUTS = 5
TITLE = 45
LABEL = 45
PLACEHOLDER = 100
VALUE = 4000
FOLD_PREFIX = "more:"


def field_text(field: FormField) -> str:
    """The field's value as the text a user edits."""
    value = field.value
    if field.kind == "multiselect":
        labels = dict(field.options)
        chosen = value if isinstance(value, list) else [v for v in (value or "").split(",") if v]
        return ", ".join(labels.get(v, v) for v in chosen)
    if isinstance(value, list):
        return ", ".join(value)
    return value or ""


def _label(field: FormField) -> str:
    if field.kind == "select" and field.options:
        choices = "/".join(v for v, _ in field.options)
        if len(field.label) + len(choices) + 3 <= LABEL:
            return f"{field.label} ({choices})"
    return clip(field.label, LABEL)


def _placeholder(field: FormField) -> str | None:
    text = field.placeholder or field.hint
    if not text and field.options:
        text = ", ".join(label for _, label in field.options)
    return clip(text, PLACEHOLDER) if text else None


def _input(field: FormField) -> discord.ui.TextInput[Any]:
    paragraph = field.kind == "textarea"
    limit = min(field.max_length or VALUE, VALUE)
    default = field_text(field)
    return discord.ui.TextInput(
        label=_label(field),
        custom_id=clip(field.id, 100),
        style=discord.TextStyle.paragraph if paragraph else discord.TextStyle.short,
        placeholder=_placeholder(field),
        default=clip(default, limit) if default else None,
        required=field.required,
        max_length=limit,
    )


def _folded(fields: list[FormField]) -> discord.ui.TextInput[Any]:
    lines = [f"{f.id}: {field_text(f)}" for f in fields]
    return discord.ui.TextInput(
        label=clip(" · ".join(f.label for f in fields), LABEL),
        custom_id=clip(FOLD_PREFIX + ",".join(f.id for f in fields), 100),
        style=discord.TextStyle.paragraph,
        placeholder=clip(
            "One per line: " + "; ".join(f"{f.id}: {f.placeholder or f.label}" for f in fields), PLACEHOLDER
        ),
        default=clip("\n".join(lines), VALUE),
        required=False,
        max_length=VALUE,
    )


def form_modal(form: Form) -> discord.ui.Modal:
    """The form as a modal (title 45, five inputs; the custom_id is the form id)."""
    modal = discord.ui.Modal(title=clip(form.title, TITLE) or "latebot", custom_id=clip(form.id, 100))
    fields = list(form.fields)
    if len(fields) > INPUTS:
        for f in fields[: INPUTS - 1]:
            modal.add_item(_input(f))
        modal.add_item(_folded(fields[INPUTS - 1 :]))
    else:
        for f in fields:
            modal.add_item(_input(f))
    return modal


def _inputs(components: list[dict[str, Any]]) -> dict[str, str]:
    """custom_id -> value of every text input in a MODAL_SUBMIT's components (rows or labels)."""
    out: dict[str, str] = {}
    for c in components:
        if c.get("type") == 4 and "custom_id" in c:
            out[str(c["custom_id"])] = str(c.get("value") or "")
        for child in c.get("components", []) or []:
            out |= _inputs([child])
        if isinstance(c.get("component"), dict):
            out |= _inputs([c["component"]])
    return out


def _unfold(ids: list[str], text: str) -> dict[str, str]:
    values = {i: "" for i in ids}
    current: str | None = None
    for line in text.splitlines():
        key, sep, rest = line.partition(":")
        if sep and key.strip() in values:
            current = key.strip()
            values[current] = rest.strip()
        elif current is not None and line.strip():
            values[current] = (values[current] + "\n" + line.strip()).strip()
    return values


def _choose(field: FormField, text: str) -> str | list[str]:
    lookup = {}
    for value, label in field.options:
        lookup[value.lower()] = value
        lookup[label.lower()] = value
    if field.kind == "select":
        return lookup.get(text.strip().lower(), text.strip())
    words = [w.strip() for w in text.replace("\n", ",").split(",") if w.strip()]
    return [lookup.get(w.lower(), w) for w in words]


def submitted_values(
    components: list[dict[str, Any]], form: Form | None = None
) -> dict[str, str | list[str]]:
    """The values of a submitted modal by field id; with the opened `form`, option labels map back."""
    raw: dict[str, str] = {}
    for custom_id, value in _inputs(components).items():
        if custom_id.startswith(FOLD_PREFIX):
            raw |= _unfold(custom_id[len(FOLD_PREFIX) :].split(","), value)
        else:
            raw[custom_id] = value
    values: dict[str, str | list[str]] = dict(raw)
    if form is not None:
        for f in form.fields:
            if f.id in raw and f.kind in ("select", "multiselect") and f.options:
                values[f.id] = _choose(f, raw[f.id])
    return values


class OpenForms:
    """The forms opened lately, by (user id, form id), to map labels back on submit; bounded."""

    def __init__(self, size: int = 1000, ttl: float = 3600.0) -> None:
        self.size = size
        self.ttl = ttl
        self._forms: OrderedDict[tuple[str, str], tuple[float, Form]] = OrderedDict()

    def put(self, user_id: str, form: Form) -> None:
        key = (user_id, form.id)
        self._forms.pop(key, None)
        self._forms[key] = (time.monotonic(), form)
        while len(self._forms) > self.size:
            self._forms.popitem(last=False)

    def pop(self, user_id: str, form_id: str) -> Form | None:
        entry = self._forms.pop((user_id, form_id), None)
        if entry is None or time.monotonic() - entry[0] > self.ttl:
            return None
        return entry[1]
