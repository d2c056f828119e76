"""Cards, replies and forms as plain text for the terminal."""

from __future__ import annotations

from bot.messages import Card, Form, FormField, Reply

TONE_MARK = {"pending": "…", "success": "✓", "warning": "!", "danger": "✗", "neutral": "·"}


def card_text(card: Card, ref: str) -> str:
    lines = [f"┌─ [{ref}] {TONE_MARK[card.tone]} {card.title}" + (f"   ({card.footer})" if card.footer else "")]
    if card.text:
        lines.append(f"│ {card.text}")
    for p in card.previews:
        limit = f"/{p.limit}" if p.limit else ""
        lines.append(f"│ {p.platform_name} @{p.account.lstrip('@')}  ({p.count}{limit} characters)")
        for n, part in enumerate(p.parts, 1):
            prefix = f"  {n}/{len(p.parts)} " if len(p.parts) > 1 else "  "
            for i, line in enumerate(part.splitlines() or [""]):
                lines.append("│ " + (prefix if i == 0 else " " * len(prefix)) + line)
    for f in card.fields:
        lines.append(f"│ {f.title}: {f.value}")
    for w in card.warnings:
        lines.append(f"│ ⚠ {w}")
    if card.buttons:
        lines.append("│ " + " ".join(f"[{b.label}]" for b in card.buttons))
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
