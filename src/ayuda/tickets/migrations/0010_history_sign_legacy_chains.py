"""Sign, once, the history chains written before keyed hashes (see tickets/history/legacy.py).

Needs the history key of the site (``AYUDA_HISTORY_KEYS``) when it runs. Chains that were
already broken stay unsigned and keep being reported by ``verify_history``. Measured with the
bulk loader: see docs/performance.md.
"""

from django.db import migrations


def sign(apps, schema_editor):
    from ayuda.tickets.history.legacy import legacy_chains_sign

    signed, left = legacy_chains_sign(
        ticket_model=apps.get_model("tickets", "Ticket"),
        event_model=apps.get_model("tickets", "TicketEvent"),
    )
    if left:
        print(  # noqa: T201 - shown by migrate, once
            f"\n  {signed} history chain(s) signed; {left} already broken left unsigned "
            "(run manage.py verify_history)."
        )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0009_history_keys_and_seals")]

    operations = [migrations.RunPython(sign, migrations.RunPython.noop, elidable=False)]
