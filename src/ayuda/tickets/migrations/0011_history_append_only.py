"""The database refuses UPDATE and DELETE of history events and seals (core/append_only.py)."""

from django.db import migrations

from ayuda.core.operations import MakeAppendOnly


class Migration(migrations.Migration):
    dependencies = [("tickets", "0010_history_sign_legacy_chains")]

    operations = [MakeAppendOnly("TicketEvent"), MakeAppendOnly("HistorySeal")]
