from django.db import migrations, models

# What a frozen row's field names, by the data package's table names (as of this migration).
LINKS = {
    "source": "sources", "category": "categories", "country": "countries",
    "own_side": "countries", "region": "regions", "organization": "organizations",
    "founded_by": "organizations", "outcome": "outcomes", "laterreport": "later_reports",
    "report": "later_reports",
}  # fmt: skip


def label(table, row):
    if table == "outcomes":
        return f"{row['reference']}. {row['title']}"
    return row.get("name") or row.get("title") or ""


def with_labels(record, tables):
    labels = {}
    for rows in record.values():
        for row in rows:
            for name, value in row.items():
                if (target := LINKS.get(name)) and (named := tables[target].get(value)):
                    labels.setdefault(target, {})[value] = label(target, named)
    return {**record, "labels": labels}


def by_outcome(tables):
    found = {
        slug: {"outcomes": [row], "sources": [tables["sources"][row["source"]]]}
        for slug, row in tables["outcomes"].items()
    }
    for name, rows in tables.items():
        for row in rows.values():
            if name == "outcomes" or (record := found.get(row.get("outcome"))) is None:
                continue
            if name != "later_report_outcomes":
                record.setdefault(name, []).append(row)
                continue
            report = tables["later_reports"][row["laterreport"]]
            record.setdefault("later_reports", []).append(report)
            figures = tables["later_report_figures"].values()
            if shown := [figure for figure in figures if figure["report"] == report["url"]]:
                record.setdefault("later_report_figures", []).extend(shown)
    # Keyed "slug:<slug>", never a number, which a JSON path reads as an array's index.
    return {f"slug:{slug}": with_labels(record, tables) for slug, record in found.items()}


def by_organization(tables):
    found = {slug: {"organizations": [row]} for slug, row in tables["organizations"].items()}
    for row in tables["participations"].values():
        found[row["organization"]].setdefault("participations", []).append(row)
    # Keyed "slug:<slug>", never a number, which a JSON path reads as an array's index.
    return {f"slug:{slug}": with_labels(record, tables) for slug, record in found.items()}


def refreeze(apps, schema_editor):
    """Releases published before: their records by organization, and by outcome with their
    source, the labels of what they name and their later reports' figures, keyed as
    downloads/releases.py now keeps them, from their own frozen tables (nothing else of a
    release changes; rows that keep no position may come in another order on PostgreSQL,
    whose jsonb kept no order of the tables' rows)."""
    Release = apps.get_model("outcomes", "Release")
    for pk, tables in Release.objects.values_list("pk", "tables"):
        Release.objects.filter(pk=pk).update(
            records=by_outcome(tables), organization_records=by_organization(tables)
        )


class Migration(migrations.Migration):

    dependencies = [
        ('outcomes', '0016_releases'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='release',
            options={'base_manager_name': 'objects', 'get_latest_by': 'published', 'ordering': ['-published', '-pk'], 'verbose_name': 'release', 'verbose_name_plural': 'releases'},
        ),
        migrations.AddField(
            model_name='release',
            name='organization_records',
            field=models.JSONField(default=dict, editable=False),
        ),
        migrations.RunPython(refreeze, migrations.RunPython.noop),
    ]
