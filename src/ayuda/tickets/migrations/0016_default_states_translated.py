"""The default states' Spanish and Italian names, as the catalogues translate them, so the
admin shows them in its inputs. Only states still named as created and not yet translated are
filled; an administrator's renaming or translation is kept. Events are never touched."""

from django.db import migrations

DEFAULT_STATE_NAMES = {
    "New": {"es": "Nuevo", "it": "Nuovo"},
    "Open": {"es": "Abierto", "it": "Aperto"},
    "Pending customer": {"es": "Pendiente del cliente", "it": "In attesa del cliente"},
    "Pending vendor": {"es": "Pendiente del proveedor", "it": "In attesa del fornitore"},
    "Resolved": {"es": "Resuelto", "it": "Risolto"},
    "Closed": {"es": "Cerrado", "it": "Chiuso"},
}


def translate_states(apps, schema_editor):
    TicketState = apps.get_model("tickets", "TicketState")
    for state in TicketState.objects.filter(name__in=DEFAULT_STATE_NAMES):
        if not state.name_i18n:
            state.name_i18n = DEFAULT_STATE_NAMES[state.name]
            state.save(update_fields=["name_i18n"])


class Migration(migrations.Migration):
    dependencies = [("tickets", "0015_translated_names")]
    operations = [migrations.RunPython(translate_states, migrations.RunPython.noop)]
