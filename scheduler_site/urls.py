from django.contrib import admin
from django.urls import include, path

from pages.admin_times import choose_zone

urlpatterns = [
    path("admin/timezone/", admin.site.admin_view(choose_zone), name="admin-timezone"),
    path("admin/", admin.site.urls),
    path("", include("bookings.urls")),
    path("", include("pages.api.urls")),
    path("", include("bookings.api.urls")),
    path("", include("bookings.api.webhook_urls")),
    path("", include("pages.urls")),
    # Last: unknown /v3/ paths answer a JSON 404 in the v3 envelope, not an HTML page.
    path("", include("pages.api.fallback_urls")),
]
