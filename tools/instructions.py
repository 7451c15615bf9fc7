"""CPU instructions per request, counted by valgrind: a figure that does not move with
the other programs sharing the machine, as seconds do. Only the app's process counts:
on PostgreSQL the server's own work is not in the figure.

    DATABASE_URL=sqlite:///bench-20000.sqlite3 .venv/bin/python tools/instructions.py cold
    DATABASE_URL=… .venv/bin/python tools/instructions.py kept --without rows --without memo

Needs valgrind (apt-get install valgrind) and a database prepared by `make bench`
(bench-2000.sqlite3 or bench-20000.sqlite3, or its PostgreSQL databases).

- cold: after make bench's warm-up, each distinct address of make bench's varied
  searches once, as a worker meets them first: page misses, rows and searches not yet
  kept.
- kept: 100 of those addresses again and again, the page cache emptied before each
  request, rows and searches kept: what a list costs a worker that has served a while.
- filtered: as cold, for the first 300 of make bench's varied filtered lists (almost
  every one of its 4,000 is distinct).
- kept-filtered: as kept, for 100 of the varied filtered lists.
- list: the list's first ten pages, page cache emptied before each (rows kept).
- page: four pages asked again and again, kept (what a kept page costs).
- export: 20 of make bench's varied filtered lists as CSV downloads.
- after-edit: the first request of the list after an outcome's edit (its facet index
  catching up; the list was served before the edit), with the edit made in both runs.

`--without LAYER` turns one hand-made layer off in the counted process (see LAYERS), so
that what it buys is the difference between two counts.

The program runs twice under valgrind's cachegrind, without and with the measured
requests; the difference, divided by their number, is what one request costs.
"""

import argparse
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from bench import targets  # noqa: E402 (make bench's addresses)

SCENARIOS = ("cold", "kept", "filtered", "kept-filtered", "list", "page", "export", "after-edit")


def addresses(scenario):
    """The distinct addresses of make bench's varied searches (its varied filtered lists
    for "filtered"), in its order: all 270 searches, or the first 100 or 300."""
    if scenario == "list":
        return [f"/outcomes/?page={page}" for page in range(1, 11)]
    if scenario == "page":
        return ["/outcomes/", "/", "/about/", "/countries/"] * 5
    if scenario == "export":
        lists = dict(targets())["filtered lists, varied"][:20]
        return [path.replace("/outcomes/?", "/outcomes/export.csv?") for path in lists]
    if scenario == "after-edit":
        return ["/outcomes/"]
    pages = dict(targets())
    filtered = scenario in ("filtered", "kept-filtered")
    varied = pages["filtered lists, varied" if filtered else "searched lists, varied"]
    most = {"cold": None, "kept": 100, "filtered": 300, "kept-filtered": 100}[scenario]
    return list(dict.fromkeys(varied))[:most]


def without_pages():
    from django.conf import settings

    settings.CACHES["pages"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}


def without_rows():
    from django.conf import settings

    settings.CACHES["rows"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}


def without_memo():
    from outcomes.facets import FacetIndex

    FacetIndex.remember = lambda self, key, compute: compute()


def without_panel():
    from outcomes.facets import FacetIndex

    remember = FacetIndex.remember
    FacetIndex.remember = lambda self, key, compute: (
        compute() if key[0] == "facet panel" else remember(self, key, compute)
    )


def without_patch():
    from outcomes.facets import FacetIndex

    FacetIndex.updated_to = lambda self, version, newer: None


# What `--without` turns off: the page cache, the rendered rows, what the facet index
# remembers (searches, counts, panels), the panels alone, the FilterSet's form class, the
# facet index's patching after an edit.
LAYERS = {
    "pages": without_pages,
    "rows": without_rows,
    "memo": without_memo,
    "panel": without_panel,
    "patch": without_patch,
}


def edit():
    """An outcome's edit, as an editor's save (the data version moves)."""
    from outcomes.models import Outcome

    outcome = Outcome.objects.filter(source__slug="synthetic-outcomes").order_by("pk").first()
    outcome.title = outcome.title.split(" (edit")[0] + " (edit)"
    outcome.save()


def requests(scenario, measured, layers):
    """Run in the counted process: the warm-up, then the measured requests if `measured`."""
    import django

    django.setup()
    for layer in layers:
        LAYERS[layer]()
    from django.core.cache import caches
    from django.test import Client

    client = Client()
    runpy.run_path(str(ROOT / "gunicorn.conf.py"))["post_worker_init"](None)  # as a worker
    for page in range(2, 40):  # make bench's warm-up: the facet index is built
        client.get(f"/outcomes/?page={page}")
    paths = addresses(scenario)
    kept = scenario in ("kept", "kept-filtered", "list")
    if kept or scenario in ("page", "after-edit"):  # after-edit: the list was served before
        for path in paths:
            client.get(path)
    if scenario == "after-edit":
        edit()
    for path in paths if measured else ():
        if kept:
            caches["pages"].clear()
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        if response.streaming:
            b"".join(response.streaming_content)
    return len(paths)


def counted(scenario, measured, layers):
    env = {
        **{name: value for name, value in os.environ.items() if name != "REDIS_URL"},
        "INSTRUCTIONS_RUN": f"{scenario}:{int(measured)}:{','.join(layers)}",
        "DJANGO_SETTINGS_MODULE": "sironet.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or "instructions-" + "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_LOG_LEVEL": "ERROR",
        "PYTHONPATH": str(ROOT),
        "PYTHONHASHSEED": "0",
    }
    result = subprocess.run(
        [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
            sys.executable,
            __file__,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    found = re.search(r"I\s+refs:\s+([\d,]+)", result.stderr)
    if result.returncode or not found:
        sys.exit(f"The counted run failed:\n{result.stderr[-3000:]}")
    return int(found[1].replace(",", ""))


def main():
    if run := os.environ.get("INSTRUCTIONS_RUN"):
        scenario, measured, layers = run.split(":")
        requests(scenario, measured == "1", [layer for layer in layers.split(",") if layer])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", nargs="?", default="cold", choices=SCENARIOS)
    parser.add_argument("--without", action="append", default=[], choices=sorted(LAYERS))
    args = parser.parse_args()
    count = len(addresses(args.scenario))
    before = counted(args.scenario, False, args.without)
    after = counted(args.scenario, True, args.without)
    off = f" without {', '.join(args.without)}" if args.without else ""
    print(f"{args.scenario}{off}: {(after - before) / count / 1e6:.1f} M instructions a request")


if __name__ == "__main__":
    main()
