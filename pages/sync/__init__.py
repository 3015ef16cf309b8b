"""Keeps connected grants' calendars in step with their CalDAV servers and feeds; knows nothing of bookings."""  # noqa: E501
