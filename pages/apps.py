from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Organizers and configurations"
    default_auto_field = "django.db.models.BigAutoField"
