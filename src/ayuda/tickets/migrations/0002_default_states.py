from django.db import migrations
from django.utils.translation import gettext_noop as _

DEFAULT_STATES = [
    (_("New"), "new", 10),
    (_("Open"), "open", 20),
    (_("Pending customer"), "pending_customer", 30),
    (_("Pending vendor"), "pending_vendor", 40),
    (_("Resolved"), "resolved", 50),
    (_("Closed"), "closed", 60),
]


def create_states(apps, schema_editor):
    TicketState = apps.get_model("tickets", "TicketState")
    for name, category, position in DEFAULT_STATES:
        TicketState.objects.get_or_create(
            name=name, defaults={"category": category, "is_default": True, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(create_states, migrations.RunPython.noop)]
