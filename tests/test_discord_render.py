"""Cards, replies and forms -> Discord payloads: Discord's limits hold for any content."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.discord.buttons import LateButton
from adapters.discord.forms import FOLD_PREFIX, OpenForms, form_modal, submitted_values
from adapters.discord.render import card_embed, card_view
from adapters.discord.replies import content_chunks, mentions, reply_messages
from bot.messages import Button, Card, CardField, Form, FormField, Reply, Section

if TYPE_CHECKING:
    import discord  # imported for real by adapters.discord, which keeps its import warning quiet

texts = st.text(min_size=0, max_size=5000)
names = st.text(min_size=1, max_size=400)


def embed_size(embed: dict[str, Any]) -> int:
    return (
        len(embed.get("title", ""))
        + len(embed.get("description", "") or "")
        + len(embed.get("footer", {}).get("text", ""))
        + sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
    )


def check_embed(embed: dict[str, Any]) -> None:
    assert embed_size(embed) <= 6000
    assert 1 <= len(embed["title"]) <= 256
    assert len(embed.get("description") or "") <= 4096
    assert len(embed.get("fields", [])) <= 25
    for f in embed.get("fields", []):
        assert 1 <= len(f["name"]) <= 256 and 1 <= len(f["value"]) <= 1024
    assert len(embed.get("footer", {}).get("text", "")) <= 2048


sections = st.builds(
    Section,
    title=st.text(max_size=400),
    text=st.text(max_size=3000),
    parts=st.lists(texts, max_size=6),
    alert=st.booleans(),
)
action_buttons = st.builds(
    Button,
    label=names,
    action=st.sampled_from(["approve", "reject", "edit", "mute"]),
    ref=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789:", min_size=1, max_size=120),
    style=st.sampled_from(["primary", "danger", "default"]),
)
link_buttons = st.builds(
    Button, label=names, url=st.text(min_size=1, max_size=600).map(lambda p: "https://late.example/" + p)
)
cards = st.builds(
    Card,
    title=st.text(max_size=400),
    text=texts,
    sections=st.lists(sections, max_size=40),
    fields=st.lists(st.builds(CardField, title=names, value=texts, inline=st.booleans()), max_size=40),
    notes=st.lists(texts, max_size=10),
    notes_title=names,
    buttons=st.lists(action_buttons | link_buttons, max_size=30),
    footer=texts,
    tone=st.sampled_from(["pending", "success", "warning", "danger", "neutral"]),
)


def check_view(view: discord.ui.View | None) -> None:
    if view is None:
        return
    rows = view.to_components()
    assert 1 <= len(rows) <= 5
    assert all(1 <= len(r["components"]) <= 5 for r in rows)
    for c in (c for r in rows for c in r["components"]):
        assert 1 <= len(c["label"]) <= 80
        if c["style"] == 5:
            assert "custom_id" not in c and len(c["url"]) <= 512
        else:
            assert "url" not in c and len(c["custom_id"]) <= 100


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cards)
def test_any_card_fits_discords_limits(card: Card) -> None:
    check_embed(card_embed(card).to_dict())  # type: ignore[arg-type]
    check_view(card_view(card.buttons))


def test_a_card_with_every_part_renders_each_of_them() -> None:
    import discord

    card = Card(
        title="Account needs attention",
        text="Two accounts stopped *posting*.",
        sections=[
            Section(title="X @acme", text="Token expired on Mon 23 Nov."),
            Section(title="Post r7 · X @acme  (9/280 characters)", parts=["First _one_", "Second"]),
            Section(title="Post r7 · Bluesky @acme  (9/300 characters)", parts=["First _one_", "Second"]),
            Section(title="LinkedIn @acme  (3100/3000 characters)", parts=["Too long"], alert=True),
            Section(title="What to do", text="Reconnect it in Late, then retry the failed posts."),
        ],
        fields=[
            CardField(title="Profile", value="Acme", inline=True),
            CardField(title="Since", value="Mon 23 Nov 2026 09:00 UTC", inline=True),
            CardField(title="Failed posts", value="r7, r9"),
        ],
        notes=["Instagram @acme: expires in 3 days", "Threads @acme: reconnect soon"],
        notes_title="Also check",
        buttons=[
            Button(label="Mute 24h", action="mute", ref="acc_1:24h", style="danger"),
            Button(label="Reconnect", url="https://app.late.example/accounts/acc_1/reconnect"),
        ],
        footer="sandbox: nothing is published",
        tone="danger",
    )
    embed: Any = card_embed(card).to_dict()
    check_embed(embed)
    assert embed["title"] == "Account needs attention" and embed["color"] == 0xED4245
    assert embed["description"] == "Two accounts stopped \\*posting\\*."  # latebot's prose, escaped as given
    assert embed["footer"] == {"text": "sandbox: nothing is published"}
    assert [(f["name"], f["value"], f["inline"]) for f in embed["fields"]] == [
        ("X @acme", "Token expired on Mon 23 Nov.", False),
        # Two sections with the same parts share one field, where the first of them stands.
        (
            "Preview · Post r7 · X @acme  (9/280 characters), Post r7 · Bluesky @acme  (9/300 characters)",
            "**1/2** First \\_one\\_\n\n**2/2** Second",
            False,
        ),
        ("Preview · ⚠ LinkedIn @acme  (3100/3000 characters)", "Too long", False),
        ("What to do", "Reconnect it in Late, then retry the failed posts.", False),
        ("Profile", "Acme", True),
        ("Since", "Mon 23 Nov 2026 09:00 UTC", True),
        ("Failed posts", "r7, r9", False),
        ("⚠ Also check", "• Instagram @acme: expires in 3 days\n• Threads @acme: reconnect soon", False),
    ]

    view = card_view(card.buttons)
    assert view is not None
    (row,) = view.to_components()
    action, link = row["components"]
    assert (action["label"], action["style"], action["custom_id"]) == ("Mute 24h", 4, "late:mute:acc_1:24h")
    assert "url" not in action
    assert link["style"] == discord.ButtonStyle.link.value == 5
    assert link["url"] == "https://app.late.example/accounts/acc_1/reconnect" and link["label"] == "Reconnect"
    assert "custom_id" not in link
    # A click on the action button reaches latebot as its action and reference; the link never does.
    (late_button, link_button) = view.children
    assert isinstance(late_button, LateButton) and (late_button.action, late_button.ref) == ("mute", "acc_1:24h")
    assert isinstance(link_button, discord.ui.Button) and link_button.custom_id is None


def test_a_long_post_for_many_accounts_is_truncated_visibly_and_summarised() -> None:
    long = "word " * 2000
    card = Card(
        title="Post awaiting approval",
        sections=[
            Section(
                title=f"Net{n} @acct{n}  (10000/280 characters) ⚠ over the limit",
                parts=[f"{n} {long}"],
                alert=True,
            )
            for n in range(40)
        ],
    )
    embed = card_embed(card).to_dict()
    check_embed(embed)  # type: ignore[arg-type]
    fields = embed["fields"]
    assert fields[0]["value"].endswith("…")
    assert fields[-1]["name"] == "…and 16 more"
    assert fields[-1]["value"].startswith("⚠ Net24 @acct24  (10000/280 characters) ⚠ over the limit, ⚠ Net25")
    assert fields[0]["name"].startswith("Preview · ⚠ Net0 @acct0")  # over the platform's limit


def test_sections_keep_the_cards_order() -> None:
    card = Card(
        title="t",
        sections=[
            Section(title="Before", text="first"),
            Section(title="X @acme", parts=["Launch day! *bold* _x_"]),
            Section(title="After", text="last"),
        ],
    )
    fields = card_embed(card).to_dict()["fields"]
    assert [f["name"] for f in fields] == ["Before", "Preview · X @acme", "After"]
    assert fields[1]["value"] == "Launch day! \\*bold\\* \\_x\\_"  # shown as the platforms will show it


@given(st.lists(st.tuples(names, st.sampled_from(["primary", "danger", "default"]), st.booleans()), max_size=40))
def test_buttons_are_at_most_five_rows_of_five(spec: list[tuple[str, Any, bool]]) -> None:
    buttons = [
        Button(label=label, url=f"https://late.example/{n}")
        if link
        else Button(label=label, action="approve", ref=f"r{n}:1", style=s)
        for n, (label, s, link) in enumerate(spec)
    ]
    view = card_view(buttons)
    if not buttons:
        assert view is None
        return
    check_view(view)
    assert view is not None
    items = [c for r in view.to_components() for c in r["components"]]
    assert len(items) == min(25, len(buttons))
    assert [c.get("url") for c in items] == [b.url for b in buttons[:25]]


def test_a_custom_id_over_100_characters_or_a_url_over_512_is_not_sent() -> None:
    view = card_view(
        [
            Button(label="Approve", action="approve", ref="x" * 200),
            Button(label="Open", url="https://late.example/" + "y" * 600),
            Button(label="Ok", action="a", ref="r1:1"),
        ]
    )
    assert view is not None
    assert [c.get("custom_id") for r in view.to_components() for c in r["components"]] == ["late:a:r1:1"]


def test_no_mention_is_parsed_and_only_the_explicit_user_is_allowed() -> None:
    payload: Any = mentions().to_dict()
    assert payload == {"parse": []}
    reply = Reply(text="hi @everyone <@&1> <@2>", mention="1180000000000000401")
    payload = mentions(reply).to_dict()
    assert payload == {"parse": [], "users": [1180000000000000401]}
    (message,) = reply_messages(reply)
    assert message.content == "<@1180000000000000401> hi @everyone <@&1> <@2>"


@given(st.text(max_size=12_000))
def test_long_replies_are_split_into_messages_of_2000(text: str) -> None:
    chunks = content_chunks(text)
    assert 1 <= len(chunks) <= 5 and all(len(c) <= 2000 for c in chunks)
    if len(text) <= 2000:
        assert chunks == [text]


def test_a_reply_with_a_card_puts_the_card_on_the_last_message() -> None:
    card = Card(title="Request r1", buttons=[Button(label="Approve", action="approve", ref="r1:1")])
    messages = reply_messages(Reply(text="line\n" * 900, card=card))
    assert len(messages) == 3
    assert not messages[0].embeds and messages[-1].embeds[0].title == "Request r1"
    assert messages[-1].view is not None


def post_form(n_fields: int = 6) -> Form:
    fields = [
        FormField(
            id="text", label="Post text " * 10, kind="textarea", value="Hi", required=True, max_length=9000
        ),
        FormField(
            id="targets",
            label="Post to",
            kind="multiselect",
            value=["acc1", "acc2"],
            options=[("acc1", "X @acme"), ("acc2", "LinkedIn @acme")],
        ),
        FormField(
            id="mode",
            label="Publish",
            kind="select",
            value="now",
            options=[("now", "As soon as approved"), ("schedule", "At the time"), ("draft", "Draft")],
        ),
        FormField(id="when", label="When", kind="datetime", value="", placeholder="tomorrow 9am"),
        FormField(id="tz", label="Time zone", value="UTC"),
        FormField(id="media", label="Media URLs", kind="textarea", value="https://a/1.png\nhttps://a/2.png"),
        FormField(id="note", label="Note", value="x"),
    ]
    return Form(
        id="late:post", title="A very long title for a new social post form", fields=fields[:n_fields]
    )


def modal_inputs(modal: discord.ui.Modal) -> list[dict[str, Any]]:
    return [row["components"][0] for row in modal.to_dict()["components"]]


def test_a_form_becomes_a_modal_within_discords_limits() -> None:
    for n in range(1, 8):
        data = form_modal(post_form(n)).to_dict()
        inputs = [row["components"][0] for row in data["components"]]
        assert len(inputs) == min(n, 5) and len(data["title"]) <= 45 and data["custom_id"] == "late:post"
        assert all(len(i["label"]) <= 45 and i.get("max_length", 0) <= 4000 for i in inputs)
    inputs = modal_inputs(form_modal(post_form(7)))
    assert inputs[0]["style"] == 2 and inputs[1]["style"] == 1
    assert inputs[1]["value"] == "X @acme, LinkedIn @acme"
    assert inputs[3]["placeholder"] == "tomorrow 9am" and "value" not in inputs[3]
    assert inputs[4]["custom_id"] == f"{FOLD_PREFIX}tz,media,note" and not inputs[4]["required"]
    assert inputs[4]["value"] == "tz: UTC\nmedia: https://a/1.png\nhttps://a/2.png\nnote: x"


def test_submitted_values_without_the_form_are_plain_text() -> None:
    components = [
        {"type": 1, "components": [{"type": 4, "custom_id": "targets", "value": "X @acme, bluesky"}]},
        {"type": 18, "component": {"type": 4, "custom_id": "text", "value": "Hi"}},
        {
            "type": 1,
            "components": [{"type": 4, "custom_id": f"{FOLD_PREFIX}tz,media", "value": "media: https://a/1"}],
        },
    ]
    assert submitted_values(components) == {
        "targets": "X @acme, bluesky",
        "text": "Hi",
        "tz": "",
        "media": "https://a/1",
    }
    assert submitted_values(components, post_form())["targets"] == ["acc1", "bluesky"]


def test_open_forms_are_bounded_and_taken_once() -> None:
    forms = OpenForms(size=2)
    for n in range(3):
        forms.put(str(n), post_form(1))
    assert forms.pop("0", "late:post") is None
    assert forms.pop("2", "late:post") is not None and forms.pop("2", "late:post") is None
