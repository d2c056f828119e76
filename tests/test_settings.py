"""Settings: one object reads the environment and .env; a bad value is a one-line error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.settings import load_settings

NAMES = [
    "LATE_API_KEY", "LATE_BASE_URL", "LATE_WEBHOOK_SECRET", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN", "SLACK_API_URL", "DISCORD_TOKEN", "DISCORD_API_BASE", "DISCORD_GATEWAY_URL",
    "DISCORD_GUILD_ID", "LATEBOT_DB", "LATEBOT_TIMEZONE", "LATEBOT_HEALTH_INTERVAL",
]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults_are_the_documented_ones() -> None:
    s = load_settings()
    assert s.LATE_BASE_URL == "https://getlate.dev/api"
    assert s.SLACK_API_URL == "https://slack.com/api/"
    assert s.DISCORD_API_BASE == "https://discord.com/api/v10"
    assert str(s.LATEBOT_DB) == "latebot.db"
    assert s.LATEBOT_TIMEZONE == "UTC" and s.LATEBOT_HEALTH_INTERVAL == 900
    assert s.sandbox


def test_env_file_is_read_and_secrets_are_hidden(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("LATE_API_KEY=sk_live_abcdef\nLATEBOT_TIMEZONE=Europe/Berlin\n")
    s = load_settings()
    assert not s.sandbox
    assert "sk_live_abcdef" not in repr(s) and "sk_live_abcdef" not in str(s.model_dump())
    assert s.secrets() == ["sk_live_abcdef"]
    assert s.LATEBOT_TIMEZONE == "Europe/Berlin"


@pytest.mark.parametrize(
    ("name", "value"),
    [("LATEBOT_TIMEZONE", "Mars/Olympus"), ("LATEBOT_HEALTH_INTERVAL", "soon"),
     ("DISCORD_GUILD_ID", "abc"), ("LATE_BASE_URL", "getlate.dev")],
)
def test_a_malformed_setting_is_one_line_naming_it(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as err:
        load_settings()
    message = str(err.value)
    assert name in message and "\n" not in message


def test_the_command_line_prints_one_line_not_a_traceback(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in NAMES}
    env["LATEBOT_TIMEZONE"] = "Nowhere/Land"
    done = subprocess.run([sys.executable, "-m", "adapters.cli", "console"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "LATEBOT_TIMEZONE" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("command", ["slack", "discord", "run"])
def test_chat_adapters_refuse_the_sandbox_without_the_flag(tmp_path: Path, command: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in NAMES}
    env["LATEBOT_DB"] = str(tmp_path / "x.db")
    done = subprocess.run([sys.executable, "-m", "adapters.cli", command], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    assert "LATE_API_KEY is not set" in done.stderr and "--sandbox" in done.stderr
