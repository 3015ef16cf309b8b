from django.db import migrations, models


def number_existing_pages(apps, schema_editor):
    """Configurations made before v2 page IDs existed get them in order of creation."""
    Configuration = apps.get_model("pages", "Configuration")
    rows = Configuration.objects.order_by("created_at", "pk").values_list("pk", flat=True)
    for number, pk in enumerate(rows, start=1):
        Configuration.objects.filter(pk=pk).update(v2_page_id=number)


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0002_grant_picture_url"),
    ]

    operations = [
        migrations.AddField(
            model_name="configuration",
            name="v2_page_id",
            field=models.PositiveBigIntegerField(editable=False, null=True, unique=True),
        ),
        migrations.RunPython(number_existing_pages, migrations.RunPython.noop),
    ]
