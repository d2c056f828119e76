"""Slack rendering: escaping, reading Slack markup, cards, replies and forms within Block Kit's limits."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.slack import translate
from adapters.slack.blocks import (
    card_blocks,
    card_message,
    context,
    header,
    link_fits,
    mrkdwn,
    reply_message,
    section,
    section_blocks,
    verbatim,
)
from adapters.slack.forms import form_view, initial_epoch, submitted_values
from adapters.slack.text import command_text, escape, fit, mention, plain_text
from bot.card import build_card
from bot.messages import Button, Card, CardField, Form, FormField, Reply, Section
from bot.request import PostDraft, Request, Target
from commands.text import readable
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


def test_command_text_undoes_slack_formatting_and_keeps_mentions_with_their_ids() -> None:
    raw = (
        "post &quot; &lt;3 &amp; go <https://example.com|example.com> #launch "
        "<#C0GENERAL|general> <!here> <@U0BOB|bob> to x"
    )
    # mentions in the neutral form (ids kept for settings); post text shows the names
    assert command_text(raw) == (
        "post &quot; <3 & go https://example.com #launch <#C0GENERAL|general> @here <@U0BOB|bob> to x"
    )
    assert readable(command_text(raw)) == "post &quot; <3 & go https://example.com #launch #general @here @bob to x"
    assert command_text("config approvers <@U0BOB|bob> <@U0CAROL> <!subteam^S0APP|@approvers>") == (
        "config approvers <@U0BOB|bob> <@U0CAROL> <@&S0APP|@approvers>"
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


def approval_card(text: str = "Launch day! 🚀", accounts: int = 2, parts: int = 1) -> Card:
    """The core's own approval card (`bot.card.build_card`) for a pending request."""
    at = datetime(2026, 11, 22, 12, tzinfo=UTC)
    draft = PostDraft(
        thread=[text] * parts,
        targets=[Target(account_id=f"acc{i}", platform="twitter", username=f"acct{i}") for i in range(accounts)],
        mode="schedule",
        scheduled_for=datetime(2026, 12, 1, 14, tzinfo=UTC),
        timezone="America/New_York",
    )
    request = Request(
        id="r1", state="pending", chat="slack", team="T1", channel="C1", requester_id="U0ALICE",
        requester_name="alice", profile_id="p1", revision=2, draft=draft, content_hash=draft.content_hash(),
        idempotency_key="latebot-r1-r2", late_post_id=None, outcome=None, approvals_required=1,
        allow_self_approval=False, created_at=at, updated_at=at, expires_at=None, decided_by=None,
        decided_by_id=None, decided_at=None, reason=None, card=None,
    )
    return build_card(request, footer="sandbox: nothing is published")


SPLIT_ENTITY = re.compile(r"&(?!amp;|lt;|gt;)")


def texts_of(value: Any) -> list[str]:
    """Every text object's text in some Block Kit."""
    if isinstance(value, list):
        return [t for v in value for t in texts_of(v)]
    if not isinstance(value, dict):
        return []
    own = [value["text"]] if value.get("type") in ("mrkdwn", "plain_text") else []
    return own + [t for v in value.values() for t in texts_of(v)]


def actions_of(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def test_approval_card_has_a_section_per_account_fields_and_revision_buttons() -> None:
    message = card_message(approval_card())
    blocks = message["blocks"]
    assert not message_problems(message)
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": ":hourglass_flowing_sand: Post awaiting approval", "emoji": True},
    }
    raw = json.dumps(blocks, ensure_ascii=False)
    assert "*X @acct0  (14/280 characters)*" in raw and "*X @acct1  (14/280 characters)*" in raw
    assert verbatim("Launch day! 🚀") in blocks
    assert "Tue 1 Dec 2026 09:00 America/New_York" in raw
    assert [(e["text"]["text"], e["action_id"], e["value"], e.get("style")) for e in actions_of(blocks)] == [
        ("Approve", "late:approve:r1:2", "r1:2", "primary"),
        ("Reject", "late:reject:r1:2", "r1:2", "danger"),
        ("Edit", "late:edit:r1:2", "r1:2", None),
    ]
    assert blocks[-1] == context("sandbox: nothing is published")


def test_a_card_with_every_part_renders_each_of_them() -> None:
    card = Card(
        title="Account needs attention",
        tone="warning",
        text="Late says *one* account & its token <expired>.",
        sections=[
            Section(title="X @demobrand", parts=["First part", "Second part"]),
            Section(title="What happened", text="The token was revoked on Late."),
            Section(title="LinkedIn @demo  (3100/3000 characters)", parts=["Too long"], alert=True),
            Section(text="A section with only prose."),
        ],
        fields=[
            CardField(title="Profile", value="Demo Brand", inline=True),
            CardField(title="Platform", value="X", inline=True),
            CardField(title="Details", value="Reconnect within 7 days or posts fail."),
        ],
        notes=["Scheduled posts will fail", "Two posts wait for this account"],
        notes_title="Before you go",
        buttons=[
            Button(label="Mute 24h", action="mute", ref="acc_x:24h"),
            Button(label="Reconnect", url="https://getlate.dev/connect?account=acc_x&from=latebot"),
        ],
        footer="latebot · sandbox",
    )
    message = card_message(card)
    assert message_problems(message) == []
    assert message["text"] == "Account needs attention: Late says *one* account &amp; its token &lt;expired&gt;."
    assert message["blocks"] == [
        {"type": "header", "text": {"type": "plain_text", "text": ":warning: Account needs attention", "emoji": True}},
        section("Late says *one* account &amp; its token &lt;expired&gt;."),
        # a section with parts: its title as context, then one plain block per part, numbered
        context("*X @demobrand*"),
        verbatim("1/2 First part"),
        verbatim("2/2 Second part"),
        # a section with text: title and text together
        section("*What happened*\nThe token was revoked on Late."),
        # an alert section warns in its title
        context(":warning: *LinkedIn @demo  (3100/3000 characters)*"),
        verbatim("Too long"),
        section("A section with only prose."),
        # inline fields side by side, the others on their own
        {"type": "section", "fields": [mrkdwn("*Profile*\nDemo Brand"), mrkdwn("*Platform*\nX")]},
        section("*Details*\nReconnect within 7 days or posts fail."),
        section(":warning: *Before you go*\n• Scheduled posts will fail\n• Two posts wait for this account"),
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": "late:mute:acc_x:24h",
                    "text": {"type": "plain_text", "text": "Mute 24h", "emoji": True},
                    "value": "acc_x:24h",
                },
                {
                    "type": "button",
                    "action_id": "late:link:1",
                    "text": {"type": "plain_text", "text": "Reconnect", "emoji": True},
                    "url": "https://getlate.dev/connect?account=acc_x&from=latebot",
                },
            ],
        },
        context("latebot · sandbox"),
    ]
    # a link button carries no value: Slack opens the URL and the click is acked and ignored
    link = actions_of(message["blocks"])[1]
    assert "value" not in link and "style" not in link


def test_the_preview_is_the_text_late_receives_not_mrkdwn() -> None:
    card = Card(title="T", sections=[Section(title="X @a", parts=["*bold* _it_ ~s~ `c` :partyparrot: & <x>"])])
    [preview] = [b for b in card_blocks(card) if b["type"] == "section"]
    # plain text: no bold, no emoji for a shortcode, entities as Slack needs them (shown as typed)
    assert preview == {"type": "section", "text": {"type": "plain_text", "emoji": False,
                                                   "text": "*bold* _it_ ~s~ `c` :partyparrot: &amp; &lt;x&gt;"}}
    merged = section_blocks(card.sections[0], merged=True)
    assert merged == [verbatim("X @a\n*bold* _it_ ~s~ `c` :partyparrot: & <x>")]


def test_tones_and_button_styles() -> None:
    for tone, emoji in [("pending", ":hourglass_flowing_sand:"), ("success", ":white_check_mark:"),
                        ("danger", ":x:"), ("neutral", ":white_circle:")]:
        assert header(Card(title="T", tone=tone))["text"]["text"] == f"{emoji} T"
    card = Card(title="T", buttons=[Button(label="Go", action="go", ref="1", style="primary"),
                                    Button(label="Stop", action="stop", ref="1", style="danger")])
    assert [e["style"] for e in actions_of(card_blocks(card))] == ["primary", "danger"]


def test_buttons_that_do_not_fit_slack_are_left_out_not_refused() -> None:
    card = Card(
        title="T",
        buttons=[
            Button(label="Long url", url="https://example.com/" + "p" * 3000),
            Button(label="Not a web address", url="slack://open"),
            Button(label="Huge ref", action="approve", ref="r" * 2001),
            Button(label="Twice", action="approve", ref="r1:1"),
            Button(label="Twice again", action="approve", ref="r1:1"),
            Button(label="x" * 200, action="edit", ref="r1:1"),
        ],
    )
    message = card_message(card)
    assert message_problems(message) == []
    elements = actions_of(message["blocks"])
    assert [e["action_id"] for e in elements] == ["late:approve:r1:1", "late:edit:r1:1"]
    assert elements[1]["text"]["text"].endswith("…") and len(elements[1]["text"]["text"]) == 75


def test_echoed_text_cannot_ping() -> None:
    evil = "<!channel> <!here> <!everyone> <@U0BOB> <!subteam^S1>"
    card = approval_card(evil)
    card.fields.append(CardField(title="<!here>", value="<@U0CAROL>"))
    card.sections.append(Section(title=evil, text=evil, parts=[evil], alert=True))
    card.notes.append(evil)
    card.buttons.append(Button(label=evil, url="https://example.com/reconnect"))
    message = card_message(card)
    assert pings(message) == []
    reply = reply_message(Reply(text=f"Rejected: {evil}", mention="U0ALICE", card=card))
    assert pings(reply, allowed=("<@U0ALICE>",)) == []
    assert reply["text"].startswith("<@U0ALICE> Rejected: &lt;!channel&gt;")


def test_a_huge_request_is_cut_not_refused() -> None:
    card = approval_card("short", accounts=60, parts=8)
    # The text goes in after the card is built: counting 25,000 characters 480 times is the core's
    # business (and slow), not what this test is about.
    card.sections = [s.model_copy(update={"parts": ["word " * 5000] * 8}) for s in card.sections]
    card.fields += [
        CardField(title=f"link {i}", value="https://example.com/" + "p" * 3000) for i in range(80)
    ]
    card.notes = ["w" * 4000] * 30
    message = card_message(card)
    assert message_problems(message) == []
    blocks = message["blocks"]
    assert blocks[-2]["type"] == "actions"  # the buttons always survive (the footer comes last)
    assert "more sections not shown" in json.dumps(blocks) or "more details not shown" in json.dumps(blocks)


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
urls = st.builds(lambda path: "https://example.com/" + path, st.text(max_size=3100)) | st.sampled_from(
    ["", "x.y/z", "javascript:alert(1)"]
)


@st.composite
def cards(draw: st.DrawFn) -> Card:
    sections = draw(
        st.lists(
            st.builds(Section, title=short, text=texts, parts=st.lists(texts, max_size=12), alert=st.booleans()),
            max_size=120,
        )
    )
    fields = draw(st.lists(st.builds(CardField, title=short, value=texts, inline=st.booleans()), max_size=80))
    ref = f"{draw(ids)}:{draw(st.integers(1, 99))}"
    buttons = [Button(label=draw(short), action=a, ref=ref) for a in ("approve", "reject", "edit")]
    buttons += [Button(label=draw(short), url=u) for u in draw(st.lists(urls, max_size=3))]
    return Card(
        title=draw(texts),
        text=draw(texts),
        sections=sections,
        fields=fields,
        notes=draw(st.lists(texts, max_size=40)),
        notes_title=draw(short),
        buttons=draw(st.permutations(buttons)),
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
    # Every `&` starts an entity: text is cut before escaping, or between entities, never inside one.
    assert [t for t in texts_of(message["blocks"]) if SPLIT_ENTITY.search(t)] == []
    elements = actions_of(message["blocks"])
    assert [e["value"] for e in elements if "value" in e] == [b.ref for b in card.buttons if not b.is_link]
    assert [e["url"] for e in elements if "url" in e] == [
        b.url for b in card.buttons if b.url is not None and link_fits(b.url)
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
    link = {"type": "button", "action_id": "late:link:0", "text": {"type": "plain_text", "text": "Go"}}
    assert block_problems([{"type": "actions", "elements": [{**link, "url": "https://x.y/" + "p" * 3000}]}])
    assert block_problems([{"type": "actions", "elements": [{**link, "url": "x.y/reconnect"}]}])
    assert block_problems([{"type": "actions", "elements": [{**link, "url": "https://x.y/reconnect"}]}]) == []
    blocks = card_blocks(approval_card())
    assert block_problems(blocks) == []
