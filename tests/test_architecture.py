"""The dependency rule of the design card: adapters -> commands -> bot; no chat SDK in the core."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SDKS = {"slack_bolt", "slack_sdk", "discord", "aiohttp"}


def imports_of(package: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


def test_bot_imports_neither_commands_adapters_nor_a_chat_sdk() -> None:
    for path, names in imports_of("bot").items():
        assert not names & ({"commands", "adapters"} | SDKS - {"aiohttp"}), path


def test_commands_imports_no_adapter_and_no_chat_sdk() -> None:
    for path, names in imports_of("commands").items():
        assert not names & ({"adapters"} | SDKS), path


def test_each_adapter_imports_only_its_own_sdk() -> None:
    for path, names in imports_of("adapters").items():
        if "/slack/" in path:
            assert "discord" not in names, path
        if "/discord/" in path:
            assert not names & {"slack_bolt", "slack_sdk"}, path
        if "/console/" in path:
            assert not names & SDKS, path


def test_modules_stay_small() -> None:
    sizes = {
        str(p.relative_to(ROOT)): len(p.read_text().splitlines())
        for pkg in ("bot", "commands", "adapters")
        for p in (ROOT / pkg).rglob("*.py")
    }
    assert max(sizes.values()) <= 400, max(sizes.items(), key=lambda kv: kv[1])
