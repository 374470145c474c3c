"""Indexes for a vendor agent's queue: the tickets with its vendor now, oldest first, and the
tickets it worked on (its articles), read after hand-back. On PostgreSQL, statistics on the
vendor and level together: a large vendor's tickets are mostly handed back (level 1 or 2),
and a planner that took the two columns for independent would expect hundreds of its
tickets at the vendor level and walk the whole active queue instead of the vendor's index."""

from django.db import migrations, models

from ayuda.core.operations import AddIndexConcurrentlyOnPostgreSQL, CreateStatisticsOnPostgreSQL


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("tickets", "0013_article_no_auto_response_sender_unverified")]
    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="ticket",
            index=models.Index(
                fields=["vendor", "created_at", "id"],
                condition=models.Q(level="vendor"),
                name="tk_vendor_current",
            ),
        ),
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="article",
            index=models.Index(
                fields=["vendor", "ticket"],
                condition=models.Q(vendor__isnull=False),
                name="article_vendor_ticket",
            ),
        ),
        CreateStatisticsOnPostgreSQL(
            name="tk_vendor_level_stats", model_name="ticket", fields=["vendor", "level"]
        ),
    ]
