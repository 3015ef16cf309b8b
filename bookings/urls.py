from django.urls import path

from bookings import views

urlpatterns = [
    path("book/<slug:slug>/", views.booking_page, name="booking-page"),
]
