"""Keeps connected grants' calendars in step with their CalDAV servers and feeds.

Connect, sync, expand recurrences into busy time. It knows nothing of bookings:
`expansion` turns one iCalendar document into busy intervals as plain data.
"""
