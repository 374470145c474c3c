"""Vendor-side articles carry their vendor, so a vendor escalated to later does not read an
earlier vendor's notes and mail. Existing ones get the vendor of their author (a vendor
agent) or, for vendor mail without an agent account, of their ticket."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def backfill(apps, schema_editor):
    article = apps.get_model("tickets", "Article")
    user = apps.get_model("accounts", "User")
    ticket = apps.get_model("tickets", "Ticket")
    vendor_side = article.objects.filter(sender_role="vendor", vendor__isnull=True)
    vendor_side.filter(author__vendor__isnull=False).update(
        vendor_id=Subquery(user.objects.filter(pk=OuterRef("author_id")).values("vendor_id")[:1])
    )
    vendor_side.filter(vendor__isnull=True).update(
        vendor_id=Subquery(ticket.objects.filter(pk=OuterRef("ticket_id")).values("vendor_id")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_vendor_language_user_email_index"),
        ("tickets", "0006_vendor_reference_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="vendor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.vendor",
                verbose_name="vendor",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
