from django.db import migrations, models


def refreeze(apps, schema_editor):
    """Releases published before: their records by organization, and by outcome with the
    labels of what they name and their later reports' figures, read from their own frozen
    tables (nothing else of a release changes)."""
    from downloads.releases import records_by_organization, records_by_outcome

    Release = apps.get_model("outcomes", "Release")
    for pk, tables in Release.objects.values_list("pk", "tables"):
        Release.objects.filter(pk=pk).update(
            records=records_by_outcome(tables),
            organization_records=records_by_organization(tables),
        )


class Migration(migrations.Migration):

    dependencies = [
        ('outcomes', '0016_releases'),
    ]

    operations = [
        migrations.AddField(
            model_name='release',
            name='organization_records',
            field=models.JSONField(default=dict, editable=False),
        ),
        migrations.RunPython(refreeze, migrations.RunPython.noop),
    ]
