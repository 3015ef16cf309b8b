from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = "Bookings"
    default_auto_field = "django.db.models.BigAutoField"
