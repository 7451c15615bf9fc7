from django.db import migrations, models


class Migration(migrations.Migration):
    """Each logged change keeps its version's time (a restored database repeats version
    numbers); outcomes with the same item in two sources are ordered by source."""

    dependencies = [
        ("outcomes", "0004_editors_and_data_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="change",
            name="changed",
            field=models.DateTimeField(null=True),
        ),
        migrations.AlterModelOptions(
            name="outcome",
            options={"ordering": ["position", "source_id", "pk"]},
        ),
    ]
