"""Editors may view, add, change and remove an outcome's reaches and mentions and a
region's memberships (rows of those records' change forms)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Editors"
MODELS = ["reach", "mention", "membership"]


def codenames():
    for model in MODELS:
        yield from (f"{action}_{model}" for action in ("view", "add", "change", "delete"))


def grant(apps, schema_editor):
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
    group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0007_faithful_claims")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
