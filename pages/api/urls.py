"""v3 organizer-side routes: grants, calendars, events, configurations."""

urlpatterns: list = []
