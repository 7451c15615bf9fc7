"""What a new database starts with: the Editors group, the data version's row and the
database cache's table.

Editors view, add and change the catalogue (outcomes, organizations, countries,
regions, categories, the source) and view and change correction reports (the
inbox); they have no rights over accounts. Deleting outcomes, organizations and
correction reports is for superusers only; editors may delete the rows of change
forms: an outcome's figures, participations, programmes, reaches and mentions, and
a region's memberships.

The data version (outcomes/versioning.py) starts at 1, changed now.

The cache table (settings.CACHES) holds an import's file between its preview and
its confirmation on whichever app server answers.

Like every migration, this one uses the historical models (apps.get_model) and
literal values, never the app's code.
"""

from django.contrib.auth.management import create_permissions
from django.core.management import call_command
from django.db import migrations
from django.db.models import Q
from django.utils import timezone

GROUP = "Editors"

VIEW_ADD_CHANGE = ("view", "add", "change")
ALL = ("view", "add", "change", "delete")
# {app label: {model: actions}}
PERMISSIONS = {
    "outcomes": {
        "outcome": VIEW_ADD_CHANGE,
        "organization": VIEW_ADD_CHANGE,
        "country": VIEW_ADD_CHANGE,
        "region": VIEW_ADD_CHANGE,
        "category": VIEW_ADD_CHANGE,
        "source": VIEW_ADD_CHANGE,
        # Rows of change forms, which an editor must be able to remove.
        "figure": ALL,
        "participation": ALL,
        "programme": ALL,
        "reach": ALL,
        "mention": ALL,
        "membership": ALL,
    },
    "corrections": {"correctionreport": ("view", "change")},
}


def codenames():
    """The Editors group's permissions: (app label, codename) pairs."""
    return [
        (app_label, f"{action}_{model}")
        for app_label, models in PERMISSIONS.items()
        for model, actions in models.items()
        for action in actions
    ]


def editor_permissions(Permission):
    """The Editors group's permissions, of `Permission` (a migration's model or the app's)."""
    wanted = Q(pk__in=[])
    for app_label, codename in codenames():
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    permissions = Permission.objects.filter(wanted)
    found = set(permissions.values_list("content_type__app_label", "codename"))
    missing = set(codenames()) - found
    if missing:
        raise RuntimeError(f"Permissions missing for the Editors group: {sorted(missing)}")
    return permissions


def create_editors(apps, schema_editor):
    # Permissions are otherwise created only after all migrations have run
    # (post_migrate), and only for apps with a models module, which the
    # migration's app configs lack.
    for app_label in PERMISSIONS:
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        try:
            create_permissions(app_config, verbosity=0, apps=apps)
        finally:
            app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.set(editor_permissions(Permission))


def remove_editors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


def create_data_version(apps, schema_editor):
    DataVersion = apps.get_model("outcomes", "DataVersion")
    DataVersion.objects.get_or_create(pk=1, defaults={"version": 1, "changed": timezone.now()})


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0003_sqlite_fts"),
        ("corrections", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_editors, remove_editors),
        # Undoing this migration keeps the row: the version never goes back.
        migrations.RunPython(create_data_version, migrations.RunPython.noop),
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
    ]
