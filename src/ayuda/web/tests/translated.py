"""Configuration with Spanish and Italian names, for the portal and workspace tests."""

from ayuda.tickets.models import StateCategory, TicketState
from ayuda.tickets.tests.factories import category_make

PRINTER_FIELDS = [
    {
        "name": "serial",
        "label": {"en": "Serial number", "es": "Número de serie", "it": "Numero di serie"},
        "help": {"en": "On the sticker at the back.", "es": "En la etiqueta de detrás."},
        "required": True,
    },
    {
        "name": "kind",
        "type": "choice",
        "label": {"en": "Kind", "es": "Tipo de impresora"},
        "choices": [
            {"value": "laser", "label": {"en": "Laser", "es": "Láser"}},
            {"value": "inkjet", "label": {"en": "Inkjet", "es": "Chorro de tinta"}},
        ],
    },
]


def printer_category():
    hardware = category_make(name="Hardware", name_i18n={"es": "Equipos", "it": "Apparecchi"})
    return category_make(
        name="Printer",
        parent=hardware,
        name_i18n={"es": "Impresora", "it": "Stampante"},
        description="Paper jams and toner.",
        description_i18n={"es": "Atascos de papel y tóner."},
        extra_fields=PRINTER_FIELDS,
    )


def parts_state() -> TicketState:
    return TicketState.objects.create(
        name="Waiting for parts",
        name_i18n={"es": "Esperando piezas", "it": "In attesa di ricambi"},
        category=StateCategory.PENDING_CUSTOMER,
        position=35,
    )
