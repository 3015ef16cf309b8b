"""v3 webhook routes."""

urlpatterns: list = []
