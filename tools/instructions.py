"""CPU instructions per searched list, counted by valgrind: a figure that does not move
with the other programs sharing the machine, as seconds do.

    DATABASE_URL=sqlite:///bench.sqlite3 .venv/bin/python tools/instructions.py [cold|kept|filtered]

Needs valgrind (apt-get install valgrind) and a database prepared by `make bench`.

- cold: after make bench's warm-up, each distinct address of make bench's varied
  searches once, as a worker meets them first: page misses, rows and searches not yet
  kept.
- kept: 100 of those addresses again and again, the page cache emptied before each
  request, rows and searches kept: what a list costs a worker that has served a while.
- filtered: as cold, for the first 300 of make bench's varied filtered lists (almost
  every one of its 4,000 is distinct).

The program runs twice under valgrind's cachegrind, without and with the measured
requests; the difference, divided by their number, is what one request costs.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from bench import targets  # noqa: E402 (make bench's addresses)

SCENARIOS = ("cold", "kept", "filtered")


def addresses(scenario):
    """The distinct addresses of make bench's varied searches (its varied filtered lists
    for "filtered"), in its order: all 270 searches, or the first 100 or 300."""
    pages = dict(targets())
    varied = pages["filtered lists, varied" if scenario == "filtered" else "searched lists, varied"]
    return list(dict.fromkeys(varied))[: {"cold": None, "kept": 100, "filtered": 300}[scenario]]


def requests(scenario, measured):
    """Run in the counted process: the warm-up, then the measured requests if `measured`."""
    import django

    django.setup()
    from django.core.cache import caches
    from django.test import Client

    client = Client()
    for page in range(2, 40):  # make bench's warm-up: the facet index is built
        client.get(f"/outcomes/?page={page}")
    paths = addresses(scenario)
    if scenario == "kept":
        for path in paths:
            client.get(path)
    for path in paths if measured else ():
        if scenario == "kept":
            caches["pages"].clear()
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    return len(paths)


def counted(scenario, measured):
    env = {
        **{name: value for name, value in os.environ.items() if name != "REDIS_URL"},
        "INSTRUCTIONS_RUN": f"{scenario}:{int(measured)}",
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
        scenario, measured = run.split(":")
        requests(scenario, measured == "1")
        return
    scenario = sys.argv[1] if len(sys.argv) > 1 else "cold"
    if scenario not in SCENARIOS:
        sys.exit(f"Say one of {', '.join(SCENARIOS)}.")
    count = len(addresses(scenario))
    without, with_ = counted(scenario, False), counted(scenario, True)
    print(f"{scenario}: {(with_ - without) / count / 1e6:.1f} M instructions per list")


if __name__ == "__main__":
    main()
