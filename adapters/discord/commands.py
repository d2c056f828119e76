"""The `/late` application commands, their autocomplete, and the "Post to social" message menu.

Each command only gathers its typed options as strings and hands them to the client, which
turns them into an `Invocation` for the router. Option names are the neutral option names:
post(text, to, when, tz, media, mode, subreddit, title, board, link, first_comment, type, privacy),
queue(which), show/approve/history/cancel/retry(id), reject(id, reason), edit(id and each option of
post, all optional), connect(platform), bind(profile), config(key, value), help(command).
"""

from __future__ import annotations

from typing import Any, Literal, Protocol, cast

import discord
from discord import app_commands

from bot.channels import KEYS

Choice = app_commands.Choice
SUBCOMMANDS = (
    "post",
    "queue",
    "show",
    "approve",
    "reject",
    "history",
    "cancel",
    "retry",
    "edit",
    "accounts",
    "health",
    "connect",
    "usage",
    "profiles",
    "bind",
    "config",
    "help",
)
CONTEXT_MENU = "Post to social"


class Handler(Protocol):
    async def handle_command(
        self, interaction: discord.Interaction[Any], command: str, options: dict[str, str]
    ) -> None: ...

    async def handle_autocomplete(
        self, interaction: discord.Interaction[Any], command: str, option: str, value: str
    ) -> list[Choice[str]]: ...

    async def handle_context_menu(
        self, interaction: discord.Interaction[Any], message: discord.Message
    ) -> None: ...


def _handler(interaction: discord.Interaction[Any]) -> Handler:
    return cast(Handler, interaction.client)


def _given(**options: str | None) -> dict[str, str]:
    return {k: v for k, v in options.items() if v not in (None, "")}


async def _run(interaction: discord.Interaction[Any], subcommand: str, /, **options: str | None) -> None:
    await _handler(interaction).handle_command(interaction, subcommand, _given(**options))


def _complete(command: str, option: str) -> Any:
    async def complete(interaction: discord.Interaction[Any], current: str) -> list[Choice[str]]:
        return await _handler(interaction).handle_autocomplete(interaction, command, option, current)

    return complete


# The typed options `post` and `edit` share (discord.py reads them from each signature).
Mode = Literal["schedule", "now", "draft"]
Title = app_commands.Range[str, 1, 300]
Prose = app_commands.Range[str, 1, 4000]
ContentType = Literal["story", "reel"]
Privacy = Literal["public", "friends", "followers", "private", "unlisted"]


def _media(attachment: discord.Attachment | None, urls: str | None) -> str:
    return " ".join(u for u in (attachment.url if attachment else None, urls) if u)


# The per-platform options of `post` and `edit`, described alike.
SPECIFIC_HELP = {
    "subreddit": "Reddit: the subreddit, e.g. python",
    "title": "Reddit, Pinterest and YouTube: the title",
    "board": "Pinterest: the board's name",
    "link": "Pinterest: the pin's link; Reddit: makes it a link post",
    "first_comment": "Facebook, Instagram, LinkedIn, YouTube, Threads: a first comment",
    "content_type": "Instagram or Facebook: a story or a reel",
    "privacy": "TikTok privacy, or YouTube visibility (unlisted)",
}


class LateGroup(app_commands.Group):
    """`/late ...`: write, approve and publish social posts."""

    def __init__(self) -> None:
        # Channels are bound to profiles and approvals need a team: servers only, no DMs.
        super().__init__(
            name="late", description="Write, approve and publish social posts through Late", guild_only=True
        )

    @app_commands.command(description="Send a post for approval")
    @app_commands.describe(
        text="The post; a line with only --- splits a thread",
        to="Platforms or accounts, e.g. twitter,linkedin",
        when="When to publish, e.g. tomorrow 9am (shows how it resolves)",
        tz="Time zone for 'when', e.g. Europe/Berlin",
        media="An image or video to attach",
        media_url="A public https:// media URL instead of (or besides) an attachment",
        mode="schedule (at 'when'), now (once approved) or draft (saved on Late)",
        **SPECIFIC_HELP,
    )
    @app_commands.rename(content_type="type")
    @app_commands.autocomplete(
        to=_complete("post", "to"), when=_complete("post", "when"), tz=_complete("post", "tz")
    )
    async def post(
        self,
        interaction: discord.Interaction[Any],
        text: Prose,
        to: str | None = None,
        when: str | None = None,
        tz: str | None = None,
        media: discord.Attachment | None = None,
        media_url: str | None = None,
        mode: Mode | None = None,
        subreddit: str | None = None,
        title: Title | None = None,
        board: str | None = None,
        link: str | None = None,
        first_comment: Prose | None = None,
        content_type: ContentType | None = None,
        privacy: Privacy | None = None,
    ) -> None:
        await _run(interaction, "post", text=text, to=to, when=when, tz=tz, media=_media(media, media_url), mode=mode,
                   subreddit=subreddit, title=title, board=board, link=link, first_comment=first_comment,
                   type=content_type, privacy=privacy)

    @app_commands.command(description="Open and scheduled posts of this channel, or the failed ones")
    @app_commands.describe(which="open (default) or failed")
    async def queue(
        self, interaction: discord.Interaction[Any], which: Literal["open", "failed"] | None = None
    ) -> None:
        await _run(interaction, "queue", which=which)

    @app_commands.command(description="Show a request or a Late post")
    @app_commands.describe(id="Request id or Late post id")
    async def show(self, interaction: discord.Interaction[Any], id: str) -> None:
        await _run(interaction, "show", id=id)

    @app_commands.command(description="Approve a request (the reply shows the text you approved)")
    @app_commands.describe(id="Request id (id:revision approves only that revision)")
    async def approve(self, interaction: discord.Interaction[Any], id: str) -> None:
        await _run(interaction, "approve", id=id)

    @app_commands.command(description="Reject a request; the requester is told why")
    @app_commands.describe(id="Request id", reason="Why (the requester sees this)")
    async def reject(
        self, interaction: discord.Interaction[Any], id: str, reason: app_commands.Range[str, 1, 1000]
    ) -> None:
        await _run(interaction, "reject", id=id, reason=reason)

    @app_commands.command(description="Who did what to a request, and when")
    @app_commands.describe(id="Request id or Late post id")
    async def history(self, interaction: discord.Interaction[Any], id: str) -> None:
        await _run(interaction, "history", id=id)

    @app_commands.command(description="Cancel a request or a scheduled post")
    @app_commands.describe(id="Request id or Late post id")
    async def cancel(self, interaction: discord.Interaction[Any], id: str) -> None:
        await _run(interaction, "cancel", id=id)

    @app_commands.command(description="Retry a failed post")
    @app_commands.describe(id="Request id or Late post id")
    async def retry(self, interaction: discord.Interaction[Any], id: str) -> None:
        await _run(interaction, "retry", id=id)

    @app_commands.command(description="Change a request's text, targets or time (it needs approval again)")
    @app_commands.describe(
        id="Request id or Late post id",
        text="The new text (leave out to keep it)",
        to="New targets, e.g. twitter,linkedin",
        when="New time, e.g. Fri 9am",
        tz="Time zone for 'when'",
        media="A new image or video (replaces the current media)",
        media_url="New public https:// media URLs (replace the current media)",
        mode="schedule (at 'when'), now (once approved) or draft",
        **SPECIFIC_HELP,
    )
    @app_commands.rename(content_type="type")
    @app_commands.autocomplete(
        to=_complete("post", "to"), when=_complete("post", "when"), tz=_complete("post", "tz")
    )
    async def edit(
        self,
        interaction: discord.Interaction[Any],
        id: str,
        text: Prose | None = None,
        to: str | None = None,
        when: str | None = None,
        tz: str | None = None,
        media: discord.Attachment | None = None,
        media_url: str | None = None,
        mode: Mode | None = None,
        subreddit: str | None = None,
        title: Title | None = None,
        board: str | None = None,
        link: str | None = None,
        first_comment: Prose | None = None,
        content_type: ContentType | None = None,
        privacy: Privacy | None = None,
    ) -> None:
        await _run(interaction, "edit", id=id, text=text, to=to, when=when, tz=tz, media=_media(media, media_url),
                   mode=mode, subreddit=subreddit, title=title, board=board, link=link, first_comment=first_comment,
                   type=content_type, privacy=privacy)

    @app_commands.command(description="The accounts this channel posts to")
    async def accounts(self, interaction: discord.Interaction[Any]) -> None:
        await _run(interaction, "accounts")

    @app_commands.command(description="Health of the connected accounts")
    async def health(self, interaction: discord.Interaction[Any]) -> None:
        await _run(interaction, "health")

    @app_commands.command(description="A link to connect an account to this channel's Late profile")
    @app_commands.describe(platform="The platform, e.g. linkedin or x")
    async def connect(self, interaction: discord.Interaction[Any], platform: str) -> None:
        await _run(interaction, "connect", platform=platform)

    @app_commands.command(description="The Late plan's usage")
    async def usage(self, interaction: discord.Interaction[Any]) -> None:
        await _run(interaction, "usage")

    @app_commands.command(description="The Late profiles (brands)")
    async def profiles(self, interaction: discord.Interaction[Any]) -> None:
        await _run(interaction, "profiles")

    @app_commands.command(description="Bind this channel to a Late profile (admins)")
    @app_commands.describe(profile="Profile name or id")
    @app_commands.autocomplete(profile=_complete("bind", "profile"))
    async def bind(self, interaction: discord.Interaction[Any], profile: str) -> None:
        await _run(interaction, "bind", profile=profile)

    @app_commands.command(description="Show or change this channel's settings (admins)")
    @app_commands.describe(key="The setting", value="The new value; leave out to see the setting")
    @app_commands.choices(key=[Choice(name=k, value=k) for k in KEYS])
    async def config(
        self, interaction: discord.Interaction[Any], key: str | None = None, value: str | None = None
    ) -> None:
        await _run(interaction, "config", key=key, value=value)

    @app_commands.command(name="help", description="What latebot can do")
    @app_commands.describe(command="A command to explain")
    @app_commands.choices(command=[Choice(name=c, value=c) for c in SUBCOMMANDS])
    async def help_(self, interaction: discord.Interaction[Any], command: str | None = None) -> None:
        await _run(interaction, "help", command=command)


@app_commands.guild_only()
async def post_to_social(interaction: discord.Interaction[Any], message: discord.Message) -> None:
    await _handler(interaction).handle_context_menu(interaction, message)


def install(tree: app_commands.CommandTree[Any]) -> None:
    tree.add_command(LateGroup())
    tree.add_command(app_commands.ContextMenu(name=CONTEXT_MENU, callback=post_to_social))
