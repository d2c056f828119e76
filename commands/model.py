"""The typed commands that text, slash options and forms all parse into.

Commands are values: frozen, compared field by field, so that `parse(render(c)) == c` can hold.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.specifics import Specifics
from commands.text import split_thread

Mode = Literal["schedule", "now", "draft"]


def _check_time(mode: Mode | None, scheduled_for: datetime | None) -> None:
    if (mode == "schedule") != (scheduled_for is not None):
        raise ValueError("scheduled_for is set exactly when mode is 'schedule'")
    if scheduled_for is not None and scheduled_for.tzinfo is None:
        raise ValueError("scheduled_for must be time-zone aware")


class _Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PostCommand(_Command):
    kind: Literal["post"] = "post"
    text: str  # the whole text as typed (normalised); `thread` holds its parts
    thread: list[str] = Field(default_factory=list)
    targets: list[str] = Field(default_factory=list)  # lowercased words, aliases not resolved
    mode: Mode = "now"
    scheduled_for: datetime | None = None  # aware, in `timezone`; only when mode == "schedule"
    timezone: str = "UTC"
    time_phrase: str | None = None  # the time as the user wrote it
    # The wall time asked for when the zone skips it (DST gap); `scheduled_for` is the time it becomes.
    skipped_time: str | None = None
    media: list[str] = Field(default_factory=list)
    options: Specifics = Field(default_factory=Specifics)  # title, first comment, board, subreddit, ...

    @model_validator(mode="before")
    @classmethod
    def _thread_from_text(cls, data: Any) -> Any:
        # The thread is a function of the text; accepting both lets forms pass what they have.
        if isinstance(data, dict) and not data.get("thread") and isinstance(data.get("text"), str):
            data = {**data, "thread": split_thread(data["text"])}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> PostCommand:
        if self.thread != split_thread(self.text):
            raise ValueError("thread must be the text split on lines of ---")
        _check_time(self.mode, self.scheduled_for)
        return self

    @property
    def main_text(self) -> str:
        return self.thread[0]


class QueueCommand(_Command):
    kind: Literal["queue"] = "queue"
    which: Literal["open", "failed"] = "open"  # `failed`: failed and partly published posts


class ShowCommand(_Command):
    kind: Literal["show"] = "show"
    id: str


class CancelCommand(_Command):
    kind: Literal["cancel"] = "cancel"
    id: str


class RetryCommand(_Command):
    kind: Literal["retry"] = "retry"
    id: str


class EditCommand(_Command):
    """Only what is given changes: the text, the targets, the time (or now/draft), the zone, the
    media, the per-platform options. None (or an empty `options`) leaves it as it is."""

    kind: Literal["edit"] = "edit"
    id: str
    text: str | None = None
    targets: list[str] | None = None
    mode: Mode | None = None
    scheduled_for: datetime | None = None  # aware, in `timezone`; only when mode == "schedule"
    timezone: str | None = None
    skipped_time: str | None = None  # as PostCommand's: the wall time asked for, when a DST gap skips it
    media: list[str] | None = None
    options: Specifics = Field(default_factory=Specifics)

    @model_validator(mode="after")
    def _consistent(self) -> EditCommand:
        _check_time(self.mode, self.scheduled_for)
        return self

    @property
    def changes_anything(self) -> bool:
        return bool(self.text is not None or self.targets is not None or self.mode is not None
                    or self.timezone is not None or self.media is not None or self.options.given())


class ApproveCommand(_Command):
    kind: Literal["approve"] = "approve"
    id: str
    revision: int | None = None  # the revision the approver saw (`<id>:<revision>`), else the current one


class RejectCommand(_Command):
    kind: Literal["reject"] = "reject"
    id: str
    reason: str
    revision: int | None = None


class HistoryCommand(_Command):
    kind: Literal["history"] = "history"
    id: str


class AccountsCommand(_Command):
    kind: Literal["accounts"] = "accounts"


class HealthCommand(_Command):
    kind: Literal["health"] = "health"


class ConnectCommand(_Command):
    kind: Literal["connect"] = "connect"
    platform: str  # Late's platform name ("twitter" for `x`)


class UsageCommand(_Command):
    kind: Literal["usage"] = "usage"


class ProfilesCommand(_Command):
    kind: Literal["profiles"] = "profiles"


class BindCommand(_Command):
    kind: Literal["bind"] = "bind"
    profile: str


class ConfigCommand(_Command):
    kind: Literal["config"] = "config"
    key: str | None = None
    value: str | None = None


class HelpCommand(_Command):
    kind: Literal["help"] = "help"
    topic: str | None = None


Command = Annotated[
    PostCommand
    | QueueCommand
    | ShowCommand
    | CancelCommand
    | RetryCommand
    | EditCommand
    | ApproveCommand
    | RejectCommand
    | HistoryCommand
    | AccountsCommand
    | HealthCommand
    | ConnectCommand
    | UsageCommand
    | ProfilesCommand
    | BindCommand
    | ConfigCommand
    | HelpCommand,
    Field(discriminator="kind"),
]

# Command words in the order help lists them.
NAMES: tuple[str, ...] = (
    "post", "queue", "show", "approve", "reject", "history", "cancel", "retry", "edit",
    "accounts", "health", "connect", "usage", "profiles", "bind", "config", "help",
)
