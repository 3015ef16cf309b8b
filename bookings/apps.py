from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = "Bookings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from bookings import admin_tools, receivers
        from pages import signals

        signals.event_moved.connect(receivers.on_event_moved, dispatch_uid="bookings.moved")
        signals.event_deleted.connect(receivers.on_event_deleted, dispatch_uid="bookings.deleted")
        signals.configurations_deleting.connect(
            receivers.on_configurations_deleting, dispatch_uid="bookings.configurations_deleting"
        )
        signals.grant_changed.connect(receivers.on_grant_changed, dispatch_uid="bookings.grant")
        signals.event_changed.connect(receivers.on_event_changed, dispatch_uid="bookings.event")
        # The configuration admin gains the tools that need bookings (explain, preview,
        # fairness). The admin app is first in INSTALLED_APPS, so its autodiscovery has
        # registered pages' ConfigurationAdmin by now.
        admin_tools.register()
