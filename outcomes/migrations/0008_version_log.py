from django.db import migrations


class Migration(migrations.Migration):
    """The data version's log is a VersionLog: "change" means an edit of a record."""

    dependencies = [("outcomes", "0007_verbose_names")]

    operations = [migrations.RenameModel("Change", "VersionLog")]
