"""An index for matching a vendor's mail by its case number."""

from django.db import migrations, models

from ayuda.core.operations import AddIndexConcurrentlyOnPostgreSQL


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("tickets", "0005_attachment_content_id")]
    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("vendor_reference", ""), _negated=True),
                fields=["vendor", "vendor_reference"],
                name="tk_vendor_reference",
            ),
        )
    ]
