"""Outgoing messages held back on purpose ("suppressed": an acknowledgement RFC 3834 or the
hourly cap on unknown senders forbids), and the index the cap counts the last hour with."""

from django.db import migrations, models

from ayuda.core.operations import AddIndexConcurrentlyOnPostgreSQL


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("notifications", "0002_event_cursor")]
    operations = [
        migrations.AlterField(
            model_name="outgoingmessage",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "Queued"),
                    ("sending", "Sending"),
                    ("retrying", "Failed, will retry"),
                    ("sent", "Sent"),
                    ("failed", "Failed"),
                    ("bounced", "Bounced"),
                    ("suppressed", "Not sent"),
                ],
                default="queued",
                max_length=10,
                verbose_name="status",
            ),
        ),
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="outgoingmessage",
            index=models.Index(fields=["kind", "created_at"], name="outmsg_kind_time"),
        ),
    ]
