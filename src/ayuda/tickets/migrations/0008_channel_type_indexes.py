"""Partial indexes for the queue's channel and type filters (active tickets, oldest first)."""

from django.db import migrations, models

from ayuda.core.operations import AddIndexConcurrentlyOnPostgreSQL

ACTIVE = models.Q(state_category__in=["new", "open", "pending_customer", "pending_vendor"])


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("tickets", "0007_article_vendor")]
    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="ticket",
            index=models.Index(
                fields=[field, "created_at", "id"], condition=ACTIVE, name=f"tk_active_{field}"
            ),
        )
        for field in ("channel", "type")
    ]
