"""The layers, read from the source: shared/ imports neither the gateway nor a service, the gateway imports no
service, and no service imports another. Tooling (localrun/, tests/) may import anything.

A module loaded by name counts too (importlib.import_module("services.x.worker"), __import__, find_spec, with a
string or an f-string starting "services."): a dependency loaded by name is still a dependency.
"""
import ast
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
# A string that names a module of a layer: "gateway.app", "services.households.worker", f"services.{name}...".
MODULE_STRING = re.compile(r"^(gateway|services)\.[A-Za-z_{]")
# Functions that load a module by its name (the first argument).
LOADERS = {"import_module", "__import__", "find_spec", "run_module", "import_string"}


def _named_module(arg: ast.AST) -> str | None:
    """The module a loader's argument names, when it is a string or an f-string starting with a layer's name."""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and MODULE_STRING.match(arg.value):
        return arg.value
    if isinstance(arg, ast.JoinedStr) and arg.values:
        first = arg.values[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str) and MODULE_STRING.match(first.value + "{"):
            return first.value + "{…}"
    return None


def _modules(tree: ast.AST, path: Path) -> list[tuple[int, str]]:
    """(line, dotted name) of every module `tree` imports or names in a string."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolved against the module's own package
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                name = f"{base}.{node.module}" if node.module else base
            else:
                name = node.module
            found += [(node.lineno, name)] + [(node.lineno, f"{name}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
            module = _named_module(node.args[0]) if name in LOADERS else None
            if module:
                found.append((node.lineno, module))
    return found


def _layer(module: str) -> tuple[str, str | None]:
    """("shared" | "gateway" | "services" | other, the service's name for services.<name>...)."""
    parts = module.split(".")
    if parts[0] == "services" and len(parts) > 1 and parts[1] and not parts[1].startswith("{"):
        return "services", parts[1]
    return parts[0], None


def _violations(top: str) -> list[str]:
    out = []
    for path in sorted((ROOT / top).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        rel = path.relative_to(ROOT)
        own_layer, own_service = _layer(".".join(rel.with_suffix("").parts))
        for line, module in _modules(tree, path):
            layer, service = _layer(module)
            if own_layer == "shared" and layer in ("gateway", "services"):
                out.append(f"{rel}:{line} shared imports {module}")
            elif own_layer == "gateway" and layer == "services":
                out.append(f"{rel}:{line} the gateway imports {module}")
            elif own_layer == "services" and layer == "services" and service != own_service:
                out.append(f"{rel}:{line} {own_service} imports another service: {module}")
    return out


@pytest.mark.parametrize("top", ["shared", "gateway", "services"])
def test_each_layer_imports_only_what_is_below_it(top):
    assert _violations(top) == []


def test_the_scan_sees_imports_and_module_names_in_strings(tmp_path):
    source = ("import services.drills.models\nfrom ..households import rules\nimport importlib\n"
              "importlib.import_module(f'services.{name}.worker')\n__import__('gateway.app')\n"
              "DB = 'gateway'\nPREFIX = 'services.drills'\n")
    path = ROOT / "services" / "volunteers" / "example.py"
    found = {module for _, module in _modules(ast.parse(source), path)}
    assert found == {"services.drills.models", "services.households", "services.households.rules", "services.{…}",
                     "gateway.app", "importlib"}  # a string no loader is given (a name, a prefix) imports nothing
    assert _layer("services.drills.models") == ("services", "drills")
    assert _layer("services.{…}") == ("services", None)
