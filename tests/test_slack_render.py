"""Slack rendering: escaping, reading Slack markup, cards, replies and forms within Block Kit's limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.slack import translate
from adapters.slack.blocks import card_blocks, card_message, reply_message
from adapters.slack.forms import form_view, initial_epoch, submitted_values
from adapters.slack.text import command_text, escape, fit, mention, plain_text
from bot.messages import Button, Card, CardField, Form, FormField, Preview, Reply
from tests.fakes.slack_api import block_problems, message_problems, pings, state_of, view_problems

# --- text ------------------------------------------------------------------------------------------


def test_escape_makes_broadcasts_and_mentions_inert() -> None:
    text = "Hi <!channel> <!here> <!everyone> <@U0BOB> & <https://x.y|z>"
    assert escape(text) == (
        "Hi &lt;!channel&gt; &lt;!here&gt; &lt;!everyone&gt; &lt;@U0BOB&gt; &amp; &lt;https://x.y|z&gt;"
    )
    assert not pings({"text": escape(text)})


def test_mention_only_for_real_user_ids() -> None:
    assert mention("U0ALICE") == "<@U0ALICE>"
    assert mention("!channel>") == "@!channel&gt;"
    assert mention("alice") == "@alice"


def test_fit_never_splits_an_entity_and_respects_the_limit() -> None:
    out = fit("a&b" * 100, 10)
    assert len(out) <= 10 and out.endswith("…")
    assert "&am…" not in out and not out.startswith("&")


def test_command_text_undoes_slack_formatting_but_keeps_user_groups() -> None:
    raw = (
        "post &quot; &lt;3 &amp; go <https://example.com|example.com> #launch "
        "<#C0GENERAL|general> <!here> <@U0BOB|bob> to x"
    )
    assert command_text(raw) == "post &quot; <3 & go https://example.com #launch #general @here @bob to x"
    assert command_text("config approvers <@U0BOB|bob> <@U0CAROL> <!subteam^S0APP|@approvers>") == (
        "config approvers @bob @U0CAROL <!subteam^S0APP|@approvers>"
    )


def test_plain_text_of_a_shared_message() -> None:
    text = (
        "Big news &amp; more: <https://example.com/launch|our launch post> is live, thanks <@U0BOB>! <!here>"
    )
    assert plain_text(text, {"U0BOB": "bob"}.get) == (
        "Big news & more: our launch post (https://example.com/launch) is live, thanks @bob! @here"
    )
    assert plain_text("<@U0X|x> <mailto:a@b.c|a@b.c> <#C1>") == "@x a@b.c #C1"


# --- cards -----------------------------------------------------------------------------------------


def pending_card(text: str = "Launch day! 🚀", accounts: int = 2, parts: int = 1) -> Card:
    previews = [
        Preview(
            platform="twitter",
            platform_name="X",
            account=f"@acct{i}",
            parts=[text] * parts,
            count=len(text),
            limit=280,
        )
        for i in range(accounts)
    ]
    return Card(
        title="Post awaiting approval",
        text="Review the post below, then approve, reject or edit it.",
        previews=previews,
        fields=[
            CardField(title="Requested by", value="alice", inline=True),
            CardField(title="When", value="Tue 1 Dec 2026 09:00 America/New_York", inline=True),
            CardField(title="Request", value="r1", inline=True),
        ],
        warnings=["X @acct0: text is long"],
        buttons=[
            Button(label="Approve", action="approve", request_id="r1", style="primary"),
            Button(label="Reject", action="reject", request_id="r1", style="danger"),
            Button(label="Edit", action="edit", request_id="r1"),
        ],
        tone="pending",
    )


def test_approval_card_has_preview_counts_fields_warnings_and_buttons() -> None:
    message = card_message(pending_card())
    blocks = message["blocks"]
    assert not message_problems(message)
    assert blocks[0]["type"] == "header" and "Post awaiting approval" in blocks[0]["text"]["text"]
    raw = json.dumps(blocks, ensure_ascii=False)
    assert "*X* @acct0 · 13/280 characters" in raw
    assert "&gt; Launch day! 🚀" in raw
    assert "Tue 1 Dec 2026 09:00 America/New_York" in raw and ":warning:" in raw
    actions = next(b for b in blocks if b["type"] == "actions")["elements"]
    assert [(e["text"]["text"], e["action_id"], e["value"], e.get("style")) for e in actions] == [
        ("Approve", "late:approve:r1", "r1", "primary"),
        ("Reject", "late:reject:r1", "r1", "danger"),
        ("Edit", "late:edit:r1", "r1", None),
    ]


def test_echoed_text_cannot_ping() -> None:
    evil = "<!channel> <!here> <!everyone> <@U0BOB> <!subteam^S1>"
    card = pending_card(evil)
    card.fields.append(CardField(title="<!here>", value="<@U0CAROL>"))
    message = card_message(card)
    assert pings(message) == []
    reply = reply_message(Reply(text=f"Rejected: {evil}", mention="U0ALICE", card=card))
    assert pings(reply, allowed=("<@U0ALICE>",)) == []
    assert reply["text"].startswith("<@U0ALICE> Rejected: &lt;!channel&gt;")


def test_a_huge_request_is_cut_not_refused() -> None:
    card = pending_card("word " * 5000, accounts=60, parts=8)
    card.fields += [
        CardField(title=f"link {i}", value="https://example.com/" + "p" * 3000) for i in range(80)
    ]
    card.warnings = ["w" * 4000] * 30
    message = card_message(card)
    assert message_problems(message) == []
    blocks = message["blocks"]
    assert blocks[-1]["type"] == "actions"  # the buttons always survive
    assert "more accounts not shown" in json.dumps(blocks) or "more details not shown" in json.dumps(blocks)


def test_long_replies_are_split_into_sections() -> None:
    text = "\n".join(f"- r{i} [pending] Dec 1 → x: " + "y" * 80 for i in range(400))
    message = reply_message(Reply(text=text))
    assert not message_problems(message)
    assert len(message["blocks"]) > 5


# Any text, including surrogate pairs, entities and Slack's control sequences.
texts = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=4000) | st.sampled_from(
    ["", " ", "<!channel>", "&" * 3000, "🚀" * 2000, "<@U123>" * 600, "\n" * 50]
)
short = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=300)
ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=64)


@st.composite
def cards(draw: st.DrawFn) -> Card:
    previews = draw(
        st.lists(
            st.builds(
                Preview,
                platform=short,
                platform_name=short,
                account=short,
                parts=st.lists(texts, max_size=12),
                count=st.integers(0, 100000),
                limit=st.none() | st.integers(1, 100000),
            ),
            max_size=120,
        )
    )
    fields = draw(st.lists(st.builds(CardField, title=short, value=texts, inline=st.booleans()), max_size=80))
    request = draw(ids)
    buttons = [Button(label=draw(short), action=a, request_id=request) for a in ("approve", "reject", "edit")]
    return Card(
        title=draw(texts),
        text=draw(texts),
        previews=previews,
        fields=fields,
        warnings=draw(st.lists(texts, max_size=40)),
        buttons=buttons,
        footer=draw(short),
        tone=draw(st.sampled_from(["pending", "success", "warning", "danger", "neutral"])),
    )


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(cards())
def test_property_any_card_renders_within_slack_limits(card: Card) -> None:
    message = card_message(card)
    assert message_problems(message) == []
    assert pings(message) == []
    assert [e["value"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]] == [
        b.request_id for b in card.buttons
    ]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(texts, st.none() | st.sampled_from(["U0ALICE", "<!here>"]), st.none() | cards())
def test_property_any_reply_renders_within_slack_limits(
    text: str, who: str | None, card: Card | None
) -> None:
    message = reply_message(Reply(text=text, mention=who, card=card))
    assert message_problems(message) == []
    assert pings(message, allowed=("<@U0ALICE>",)) == []


# --- forms -----------------------------------------------------------------------------------------


def post_form(accounts: int = 3, text: str = "", when: str = "", tz: str = "Europe/Berlin") -> Form:
    return Form(
        id="late:post",
        title="New social post",
        submit="Send for approval",
        fields=[
            FormField(
                id="text", label="Post text", kind="textarea", value=text, required=True, max_length=3000
            ),
            FormField(
                id="targets",
                label="Post to",
                kind="multiselect",
                value=["acc1"],
                options=[(f"acc{i}", f"X @account{i}") for i in range(accounts)],
                required=True,
            ),
            FormField(
                id="mode",
                label="Publish",
                kind="select",
                value="schedule",
                options=[
                    ("now", "As soon as approved"),
                    ("schedule", "At the time below"),
                    ("draft", "Draft"),
                ],
            ),
            FormField(id="when", label="When", kind="datetime", value=when),
            FormField(id="tz", label="Time zone", value=tz),
            FormField(id="media", label="Media URLs", kind="textarea", value=""),
        ],
    )


def test_post_form_as_a_modal_and_back() -> None:
    view = form_view(post_form(text="Hello", when="2026-12-01 09:00"), metadata='{"channel":"C1"}')
    assert view_problems(view) == []
    assert view["callback_id"] == "late:post" and view["private_metadata"] == '{"channel":"C1"}'
    by_id = {b["block_id"]: b for b in view["blocks"]}
    assert by_id["targets"]["element"]["type"] == "multi_static_select"
    assert by_id["targets"]["element"]["initial_options"][0]["value"] == "acc1"
    # 09:00 in Berlin on 1 Dec is 08:00 UTC
    assert by_id["when"]["element"]["initial_date_time"] == int(
        datetime(2026, 12, 1, 8, tzinfo=UTC).timestamp()
    )
    values = submitted_values({"values": state_of(view, {"text": "Hi <!here>", "when": 1796133600})})
    assert values == {
        "text": "Hi <!here>",
        "targets": ["acc1"],
        "mode": "schedule",
        "when": "2026-12-01T14:00:00Z",
        "tz": "Europe/Berlin",
        "media": "",
    }


def test_many_accounts_are_paged_into_option_groups() -> None:
    view = form_view(post_form(accounts=250))
    assert view_problems(view) == []
    element = next(b for b in view["blocks"] if b["block_id"] == "targets")["element"]
    assert [len(g["options"]) for g in element["option_groups"]] == [100, 100, 50]


def test_a_form_without_accounts_asks_for_text() -> None:
    form = post_form(accounts=0)
    view = form_view(form)
    assert view_problems(view) == []
    element = next(b for b in view["blocks"] if b["block_id"] == "targets")["element"]
    assert element["type"] == "plain_text_input"


def test_long_titles_and_prefills_are_cut() -> None:
    form = post_form(text="x" * 9000)
    form.title = "A title much longer than twenty-four characters"
    view = form_view(form, rekey={"media"})
    assert view_problems(view) == []
    assert any(b["block_id"] == "media~1" for b in view["blocks"])
    assert (
        submitted_values({"values": state_of(view, {"media": "https://a/b.png"})})["media"]
        == "https://a/b.png"
    )


def test_initial_epoch() -> None:
    assert initial_epoch("2026-12-01T14:00:00Z", "Asia/Tokyo") == 1796133600
    assert initial_epoch("2026-12-01 15:00", "Europe/Berlin") == 1796133600
    assert initial_epoch("tomorrow", "UTC") is None


def test_origin_round_trip_and_garbage() -> None:
    origin = translate.Origin(team="T1", channel="C1", response_url="https://hooks/x", upload="u1")
    assert translate.Origin.load(origin.dump()) == origin
    assert translate.Origin.load("not json") is None
    assert translate.Origin.load('{"team": "T1"}') is None


def test_block_problems_checker_catches_what_slack_refuses() -> None:
    assert block_problems([{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}])
    assert block_problems([{"type": "header", "text": {"type": "plain_text", "text": " "}}])
    assert block_problems([{"type": "divider"}] * 51)
    blocks = card_blocks(pending_card())
    assert block_problems(blocks) == []
