"""Migrations stand alone: they use Django, the libraries and literal values, never the
app's code, which changes after them (historical models come from `apps.get_model`)."""

import ast
from pathlib import Path

BASE = Path(__file__).resolve().parents[2]
APPS = {"outcomes", "corrections", "sironet", "downloads", "api", "edge", "tests"}


def imported_modules(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield node.module or ""
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            yield node.args[0].value


def test_no_migration_imports_the_apps_code():
    migrations = sorted(BASE.glob("*/migrations/0*.py"))
    assert migrations
    for path in migrations:
        for module in imported_modules(ast.parse(path.read_text())):
            assert module.split(".")[0] not in APPS, f"{path.relative_to(BASE)} imports {module}"
