"""Cards, replies and forms as plain text for the terminal."""

from __future__ import annotations

from bot.messages import Button, Card, Form, FormField, Reply

TONE_MARK = {"pending": "…", "success": "✓", "warning": "!", "danger": "✗", "neutral": "·"}


def button_text(button: Button) -> str:
    """`[Approve]`, or `[Reconnect ↗ https://…]` for a link button (the console can't open it)."""
    return f"[{button.label} ↗ {button.url}]" if button.url else f"[{button.label}]"


def card_text(card: Card, ref: str) -> str:
    lines = [f"┌─ [{ref}] {TONE_MARK[card.tone]} {card.title}" + (f"   ({card.footer})" if card.footer else "")]
    if card.text:
        lines.append(f"│ {card.text}")
    for section in card.sections:
        if section.title:
            lines.append(f"│ {section.title}")
        if section.text:
            lines += [f"│ {line}" for line in section.text.splitlines()]
        for n, part in enumerate(section.parts, 1):
            prefix = f"  {n}/{len(section.parts)} " if len(section.parts) > 1 else "  "
            for i, line in enumerate(part.splitlines() or [""]):
                lines.append("│ " + (prefix if i == 0 else " " * len(prefix)) + line)
    for f in card.fields:
        lines.append(f"│ {f.title}: {f.value}")
    for note in card.notes:
        lines.append(f"│ ⚠ {note}")
    if card.buttons:
        lines.append("│ " + " ".join(button_text(b) for b in card.buttons))
    lines.append("└─")
    return "\n".join(lines)


def reply_text(reply: Reply, *, thread: str | None = None) -> str:
    where = f"(thread {thread}) " if thread else ""
    mention = f"@{reply.mention} " if reply.mention else ""
    private = "(only you) " if reply.ephemeral else ""
    return f"{where}{private}{mention}{reply.text}"


def field_prompt(form: Form, field: FormField) -> str:
    current = field.value if isinstance(field.value, str) else ", ".join(field.value or [])
    choices = ""
    if field.options:
        choices = " — choices: " + ", ".join(f"{label} [{value}]" for value, label in field.options)
    keep = f" (empty keeps: {current!r})" if current else ""
    return f"  {form.title} › {field.label}{choices}{keep}:"
