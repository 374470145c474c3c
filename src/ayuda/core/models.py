"""The ground floor's one table: rate-limit counters (``ayuda.core.ratelimit``)."""

from django.db import models


class RateCounter(models.Model):
    """Attempts under one key in the current fixed window. Written only by
    ``ratelimit.counter_hit`` (one upsert); expired rows are purged daily."""

    key = models.CharField(max_length=200, primary_key=True)
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["window_start"], name="ratecounter_window")]

    def __str__(self) -> str:
        return f"{self.key}: {self.hits}"
