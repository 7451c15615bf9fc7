"""The house stays easy to read: no module of the app grows past what a reader takes in."""

from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]
MOST_LINES = 700


def test_no_module_of_the_app_is_longer_than_700_lines():
    ours = [Path(app.path) for app in apps.get_app_configs() if Path(app.path).parent == ROOT]
    assert {path.name for path in ours} >= {"sironet", "edge", "outcomes", "downloads", "api"}
    long = {
        str(path.relative_to(ROOT)): lines
        for folder in ours
        for path in folder.rglob("*.py")
        if "migrations" not in path.parts
        and (lines := len(path.read_text().splitlines())) > MOST_LINES
    }
    assert not long, f"Split these by concern: {long}"
