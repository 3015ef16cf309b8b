from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0006_booking_declined_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="booking",
            name="conferencing",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
    ]
