"""The design card's rules, checked on the source: layers, ports, no cycles, small modules.

- adapters -> commands -> bot; no chat SDK in the core;
- `commands/` parses and dispatches only: no SQL, no store, no Late client;
- adapters reach the core through the driving port (`bot.ports.BotPort`) alone, never by probing
  the object they were given (`isinstance`/`hasattr`);
- no import cycle among latebot's modules, lazy (function-level) imports included.
"""

from __future__ import annotations

import ast
import re
import statistics
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "commands", "adapters")
SDKS = {"slack_bolt", "slack_sdk", "discord", "aiohttp"}
MODULES = {
    str(p.relative_to(ROOT)).removesuffix(".py").replace("/", ".").removesuffix(".__init__")
    for pkg in ("bot", "commands", "adapters")
    for p in (ROOT / pkg).rglob("*.py")
}
SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE TABLE)\b")


def sources(package: str) -> dict[str, ast.Module]:
    return {
        str(path.relative_to(ROOT)): ast.parse(path.read_text(), str(path))
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def module_name(path: str) -> str:
    name = path.removesuffix(".py").replace("/", ".")
    return name.removesuffix(".__init__")


def imported(tree: ast.Module, path: str) -> set[str]:
    """Every module `tree` imports (absolute names), lazy imports included. `from pkg import mod`
    counts as importing `pkg.mod` only (Python runs `pkg` first, but that is not a dependency)."""
    names: set[str] = set()
    package = module_name(path) if path.endswith("__init__.py") else module_name(path).rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            submodules = {f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in MODULES}
            names |= submodules or {base}
            if len(submodules) < len(node.names):
                names.add(base)
    return names


def top_level(names: set[str]) -> set[str]:
    return {n.split(".")[0] for n in names}


def test_bot_imports_neither_commands_adapters_nor_a_chat_sdk() -> None:
    for path, tree in sources("bot").items():
        assert not top_level(imported(tree, path)) & ({"commands", "adapters"} | SDKS - {"aiohttp"}), path


def test_commands_imports_no_adapter_and_no_chat_sdk() -> None:
    for path, tree in sources("commands").items():
        assert not top_level(imported(tree, path)) & ({"adapters"} | SDKS), path


def test_each_adapter_imports_only_its_own_sdk() -> None:
    for path, tree in sources("adapters").items():
        names = top_level(imported(tree, path))
        if "/slack/" in path:
            assert "discord" not in names, path
        if "/discord/" in path:
            assert not names & {"slack_bolt", "slack_sdk"}, path
        if "/console/" in path or "/sandbox/" in path:
            assert not names & (SDKS - {"aiohttp"}), path


def test_commands_does_no_sql_and_calls_no_late_client() -> None:
    for path, tree in sources("commands").items():
        names = imported(tree, path)
        assert not {n for n in names if n.startswith(("bot.store", "bot.late.client", "sqlite"))}, path
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):
                # The core's store and Late client are not for commands: they call its services.
                assert node.attr not in ("late", "store", "execute", "requests"), f"{path}:{node.lineno}"
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert not SQL.search(node.value), f"{path}:{node.lineno} has SQL"


def test_adapters_never_probe_the_core_they_are_given() -> None:
    # How media uploads were silently switched off: `isinstance(router, MediaSink)`.
    for path, tree in sources("adapters").items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "hasattr":
                raise AssertionError(f"{path}:{node.lineno} uses hasattr")
            if isinstance(node, ast.ClassDef):
                assert not re.search(r"Router|Sink|Core", node.name), f"{path}: class {node.name}"


def test_no_import_cycles() -> None:
    graph: dict[str, set[str]] = {}
    for package in PACKAGES:
        for path, tree in sources(package).items():
            graph[module_name(path)] = imported(tree, path)
    modules = set(graph)
    edges = {m: {n for n in names if n in modules and n != m} for m, names in graph.items()}
    # Tarjan's strongly connected components: any component of more than one module is a cycle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for m in sorted(modules):
        if m not in index:
            visit(m)
    assert not cycles, cycles


def test_modules_stay_small() -> None:
    sizes = {
        str(p.relative_to(ROOT)): len(p.read_text().splitlines())
        for pkg in PACKAGES
        for p in (ROOT / pkg).rglob("*.py")
        if p.name != "__init__.py"
    }
    assert max(sizes.values()) <= 400, max(sizes.items(), key=lambda kv: kv[1])
    assert statistics.median(sizes.values()) < 150


def test_the_actions_that_may_open_a_form_are_declared() -> None:
    """Adapters defer every press at once except those `BotPort.may_open_form` names (a form must be
    Discord's first answer): an action that opens a form but is not declared would never open it."""
    import inspect

    from commands.actions import ACTIONS, FORM_ACTIONS

    opening = {name for name, action in ACTIONS.items() if "open_form" in inspect.getsource(action)}
    assert opening == FORM_ACTIONS
