"""A trigram index for the queue's text filter on PostgreSQL (SQLite scans; it is the small,
embedded default). ``CONCURRENTLY`` keeps the table writable while a large one is indexed."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS tk_subject_trgm "
        "ON tickets_ticket USING gin (UPPER(subject) gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS tk_subject_trgm")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("tickets", "0003_ticket_history_head")]
    operations = [migrations.RunPython(create, drop)]
