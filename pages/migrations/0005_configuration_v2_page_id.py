from django.db import migrations, models


def number_existing_pages(apps, schema_editor):
    """Configurations made before v2 page IDs existed get them in order of creation, and
    the counter starts after the last."""
    Configuration = apps.get_model("pages", "Configuration")
    V2PageIdCounter = apps.get_model("pages", "V2PageIdCounter")
    rows = Configuration.objects.order_by("created_at", "pk").values_list("pk", flat=True)
    last = 0
    for last, pk in enumerate(rows, start=1):
        Configuration.objects.filter(pk=pk).update(v2_page_id=last)
    V2PageIdCounter.objects.update_or_create(pk=1, defaults={"last_given": last})


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0004_outgoing_events"),
    ]

    operations = [
        migrations.AddField(
            model_name="configuration",
            name="v2_page_id",
            field=models.PositiveBigIntegerField(editable=False, null=True, unique=True),
        ),
        migrations.CreateModel(
            name="V2PageIdCounter",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("last_given", models.PositiveBigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(number_existing_pages, migrations.RunPython.noop),
    ]
