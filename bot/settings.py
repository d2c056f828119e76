"""The one settings object; nothing else in latebot reads the environment."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import ConfigError


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=True
    )

    LATE_API_KEY: SecretStr | None = None
    LATE_BASE_URL: str = "https://getlate.dev/api"
    LATE_WEBHOOK_SECRET: SecretStr | None = None
    SLACK_BOT_TOKEN: SecretStr | None = None
    SLACK_SIGNING_SECRET: SecretStr | None = None
    SLACK_APP_TOKEN: SecretStr | None = None
    SLACK_API_URL: str = "https://slack.com/api/"
    DISCORD_TOKEN: SecretStr | None = None
    DISCORD_API_BASE: str = "https://discord.com/api/v10"
    DISCORD_GATEWAY_URL: str | None = None
    DISCORD_GUILD_ID: int | None = None
    LATEBOT_DB: Path = Path("./latebot.db")
    LATEBOT_TIMEZONE: str = "UTC"
    LATEBOT_HEALTH_INTERVAL: int = Field(default=900, ge=1)

    @field_validator("LATE_BASE_URL", "SLACK_API_URL", "DISCORD_API_BASE")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("LATEBOT_TIMEZONE")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone such as Europe/Berlin") from None
        return value

    @property
    def sandbox(self) -> bool:
        """Without an API key latebot talks to the built-in sandbox, never to Late."""
        return self.LATE_API_KEY is None

    def secrets(self) -> list[str]:
        """Every secret value, for the log redactor."""
        values = [
            self.LATE_API_KEY,
            self.LATE_WEBHOOK_SECRET,
            self.SLACK_BOT_TOKEN,
            self.SLACK_SIGNING_SECRET,
            self.SLACK_APP_TOKEN,
            self.DISCORD_TOKEN,
        ]
        return [v.get_secret_value() for v in values if v is not None and v.get_secret_value()]


def load_settings(**overrides: object) -> Settings:
    """Read the environment and `.env`; a bad value becomes a one-line `ConfigError`."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        name = ".".join(str(p) for p in err["loc"]) or "settings"
        raise ConfigError(f"setting {name}: {err['msg']}") from None
