"""Editors may view and change correction reports (the inbox); only superusers delete them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Editors"


def codenames():
    return ["view_correctionreport", "change_correctionreport"]


def grant(apps, schema_editor):
    # Permissions are otherwise created only after all migrations have run.
    app_config = apps.get_app_config("corrections")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    permissions = Permission.objects.filter(
        content_type__app_label="corrections", codename__in=codenames()
    )
    missing = set(codenames()) - set(permissions.values_list("codename", flat=True))
    if missing:
        raise RuntimeError(f"Permissions missing for the Editors group: {sorted(missing)}")
    group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=GROUP):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="corrections", codename__in=codenames()
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("corrections", "0001_reports"),
        ("outcomes", "0004_editors_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
