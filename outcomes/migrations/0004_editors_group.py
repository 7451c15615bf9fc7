"""The Editors group: view, add and change the catalogue; no rights over accounts.

Deleting outcomes and organizations is for superusers only; editors may delete an
outcome's figures, participations and programmes (rows of its change form).

Also makes the database cache table (settings.CACHES), which holds an import's
file between its preview and its confirmation on whichever app server answers.
"""

from django.contrib.auth.management import create_permissions
from django.core.management import call_command
from django.db import migrations

GROUP = "Editors"

CATALOGUE_MODELS = [
    "outcome",
    "organization",
    "country",
    "region",
    "category",
    "figure",
    "participation",
    "programme",
    "source",
]
# Rows of an outcome's change form, which an editor must be able to remove.
DELETABLE = ["figure", "participation", "programme"]


def codenames():
    for model in CATALOGUE_MODELS:
        yield from (f"view_{model}", f"add_{model}", f"change_{model}")
    yield from (f"delete_{model}" for model in DELETABLE)


def create_editors(apps, schema_editor):
    # Permissions are otherwise created only after all migrations have run.
    app_config = apps.get_app_config("outcomes")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    permissions = Permission.objects.filter(
        content_type__app_label="outcomes", codename__in=list(codenames())
    )
    missing = set(codenames()) - set(permissions.values_list("codename", flat=True))
    if missing:
        raise RuntimeError(f"Permissions missing for the Editors group: {sorted(missing)}")
    group.permissions.set(permissions)


def remove_editors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0003_history"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_editors, remove_editors),
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
    ]
