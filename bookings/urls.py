from django.urls import path

from bookings import views
from bookings.views.embed import embed_script

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("embed.js", embed_script, name="embed-script"),
    path("book/<slug:slug>/", views.booking_page, name="booking-page"),
    path("booking/<str:ref>/", views.manage_booking, name="booking-manage"),
    path("booking/<str:ref>/reschedule/", views.reschedule_booking, name="booking-reschedule"),
    path("booking/<str:ref>/cancel/", views.cancel_booking, name="booking-cancel"),
    path("booking/<str:ref>/calendar.ics", views.booking_calendar, name="booking-calendar-file"),
    path("confirm/<str:token>/", views.organizer_confirmation, name="organizer-confirmation"),
    path("organizer/<str:token>/", views.organizer_booking, name="organizer-booking"),
    path("healthz", views.healthz, name="healthz"),
]
