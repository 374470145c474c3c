"""An index for matching a vendor's mail by its case number. On PostgreSQL it is built
``CONCURRENTLY``, so a large tickets table stays writable meanwhile."""

from django.db import migrations, models

INDEX = models.Index(
    condition=models.Q(("vendor_reference", ""), _negated=True),
    fields=["vendor", "vendor_reference"],
    name="tk_vendor_reference",
)


def create(apps, schema_editor):
    ticket = apps.get_model("tickets", "Ticket")
    if schema_editor.connection.vendor == "postgresql":
        sql = str(INDEX.create_sql(ticket, schema_editor, concurrently=True))
        schema_editor.execute(sql.replace("CONCURRENTLY", "CONCURRENTLY IF NOT EXISTS", 1))
    else:
        schema_editor.add_index(ticket, INDEX)


def drop(apps, schema_editor):
    ticket = apps.get_model("tickets", "Ticket")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS tk_vendor_reference")
    else:
        schema_editor.remove_index(ticket, INDEX)


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("tickets", "0005_attachment_content_id")]
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(create, drop)],
            state_operations=[migrations.AddIndex(model_name="ticket", index=INDEX)],
        )
    ]
