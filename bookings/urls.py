from django.urls import path

from bookings import views

urlpatterns = [
    path("book/<slug:slug>/", views.booking_page, name="booking-page"),
    path("booking/<str:ref>/", views.manage_booking, name="booking-manage"),
    path("confirm/<str:token>/", views.organizer_confirmation, name="organizer-confirmation"),
]
