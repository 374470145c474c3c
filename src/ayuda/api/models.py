"""What the API keeps of its own: the responses to POSTs sent with an Idempotency-Key."""

from django.db import models


class IdempotencyRecord(models.Model):
    """One key of one caller (a token, or a signed-in user) for 24 hours: the request's hash
    and, once it finished, the response to replay (docs/api.md)."""

    caller = models.CharField(max_length=80)  # "token:<id>" or "user:<id>"
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(db_index=True)
    status = models.PositiveSmallIntegerField(null=True)  # None: still running
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=b"")
    headers = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["caller", "key"], name="idempotency_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.caller} {self.key}"
