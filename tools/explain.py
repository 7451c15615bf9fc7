"""EXPLAIN ANALYZE of every query a public page sends, on a `make bench` database: the
plans docs/performance.md shows, so that an index that stops fitting a query is seen.

    DATABASE_URL=postgres://sironet:sironet@127.0.0.1:5432/sironet_bench_20000 \
        .venv/bin/python tools/explain.py

Each page is asked twice with the page cache emptied: the first request builds what a
worker keeps (the facet index, kept rows); the plans are those of the second request (what
every visitor's request costs), and of the first request's extra queries under “once per
data version”. SQLite databases get `EXPLAIN QUERY PLAN` (no timings).
"""

import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sironet.settings")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.core.cache import caches  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

PAGES = [
    ("home", "/"),
    ("list", "/outcomes/"),
    ("filtered list", "/outcomes/?category=livelihood&country=mm"),
    ("searched list (a common word)", "/outcomes/?q=school"),
    ("searched list, Chinese", "/zh-hans/outcomes/?q=学校"),
    ("outcome detail", "/outcomes/synthetic-outcome-1234/"),
]


def captured(client, path):
    for name in caches:
        caches[name].clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return [query["sql"] for query in queries.captured_queries]


def short(sql):
    """The query with its column list elided (the plans do not depend on it)."""
    return re.sub(r"^SELECT .*? FROM ", "SELECT … FROM ", sql, count=1, flags=re.S)


def explain(sql):
    prefix = "EXPLAIN ANALYZE " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def main():
    client = Client()
    for title, path in PAGES:
        first = captured(client, path)
        again = captured(client, path)
        once = [sql for sql in first if sql not in again]
        print(f"\n## {title}: `{path}`\n")
        for heading, queries in (("every request", again), ("once per data version", once)):
            for sql in queries:
                if sql.lstrip().upper().startswith(("SELECT", "WITH")):
                    print(f"{heading}:\n\n```sql\n{short(sql)}\n```\n\n```\n{explain(sql)}\n```\n")


if __name__ == "__main__":
    main()
