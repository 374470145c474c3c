"""Partial indexes for the queue's channel and type filters (active tickets, oldest first). On
PostgreSQL they are built ``CONCURRENTLY``, so a large tickets table stays writable."""

from django.db import migrations, models

ACTIVE = models.Q(state_category__in=["new", "open", "pending_customer", "pending_vendor"])
INDEXES = [
    models.Index(fields=["channel", "created_at", "id"], condition=ACTIVE, name="tk_active_channel"),
    models.Index(fields=["type", "created_at", "id"], condition=ACTIVE, name="tk_active_type"),
]


def create(apps, schema_editor):
    ticket = apps.get_model("tickets", "Ticket")
    for index in INDEXES:
        if schema_editor.connection.vendor == "postgresql":
            sql = str(index.create_sql(ticket, schema_editor, concurrently=True))
            schema_editor.execute(sql.replace("CONCURRENTLY", "CONCURRENTLY IF NOT EXISTS", 1))
        else:
            schema_editor.add_index(ticket, index)


def drop(apps, schema_editor):
    ticket = apps.get_model("tickets", "Ticket")
    for index in INDEXES:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {index.name}")
        else:
            schema_editor.remove_index(ticket, index)


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("tickets", "0007_article_vendor")]
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(create, drop)],
            state_operations=[
                migrations.AddIndex(model_name="ticket", index=index) for index in INDEXES
            ],
        )
    ]
