"""Counters behind the hosted pages' rate limits (bookings/rate_limits.py)."""

from __future__ import annotations

from django.db import models


class RateLimitCounter(models.Model):
    """How many requests one key (an IP address, a guest email's digest) made in one
    fixed window. Kept in the database so every web process on every machine counts
    together; rows are deleted once their window is over."""

    key = models.CharField(max_length=120)
    # The window's start and end, in Unix seconds.
    window_start = models.BigIntegerField()
    expires_at = models.BigIntegerField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "window_start"], name="rate_limit_counter_once_per_window"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
