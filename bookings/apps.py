from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = "Bookings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from bookings import receivers
        from pages import signals

        signals.event_moved.connect(receivers.on_event_moved, dispatch_uid="bookings.moved")
        signals.event_deleted.connect(receivers.on_event_deleted, dispatch_uid="bookings.deleted")
