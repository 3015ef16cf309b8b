from bookings.models.booking import Booking, BookingHost, IdempotencyKey, Session

__all__ = ["Booking", "BookingHost", "IdempotencyKey", "Session"]
