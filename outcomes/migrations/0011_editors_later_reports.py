"""Editors add, change and review later reports (only superusers delete one), and remove
the rows of their forms: a report's figures, an outcome's searches for later reports."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Editors"
CODENAMES = [
    "view_laterreport",
    "add_laterreport",
    "change_laterreport",
    *(f"{action}_{model}" for model in ("reportfigure", "latersearch")
      for action in ("view", "add", "change", "delete")),
]


def grant(apps, schema_editor):
    # As in 0004: permissions are otherwise made only after all migrations have run.
    app_config = apps.get_app_config("outcomes")
    app_config.models_module = True
    try:
        create_permissions(app_config, verbosity=0, apps=apps)
    finally:
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=GROUP)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="outcomes", codename__in=CODENAMES)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name=GROUP):
        group.permissions.remove(*group.permissions.filter(codename__in=CODENAMES))


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0010_later_reports"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(grant, revoke)]
