"""How the demo's tickets are spread: how many follow each lifecycle, over which weeks, through
which channels, and how long each step of a ticket's life takes."""

from ayuda.tickets.models import Channel, Priority

from . import stories_en, stories_es, stories_it

TICKET_COUNT = 300
SPREAD_DAYS = 60  # tickets are raised over the last 60 days
SEED = 20261122  # the same demo on every machine

STORIES = {"es": stories_es.STORIES, "it": stories_it.STORIES, "en": stories_en.STORIES}

# Lifecycle: (weight, stage, what the story needs). The stage (0 = settled long ago, 1 = just
# arrived) pairs older tickets with later stages. Needs: "escalation" (the story has level 2's
# texts), "vendor" (the vendor's answer), "visit" (a reason to send a field technician),
# "quick" (answerable on the spot), "incident" (something that can happen again),
# "subcategory" (the requester chose the parent category; the front line corrects it).
SCENARIOS = {
    "closed": (70, 0.0, None),
    "closed_after_referral": (10, 0.05, "escalation"),
    "closed_after_vendor": (8, 0.1, "vendor"),
    "resolved": (30, 0.3, None),
    "resolved_by_l2": (12, 0.3, "escalation"),
    "contact_resolved": (10, 0.35, "quick"),
    "reopened": (8, 0.45, "incident"),
    "pending_vendor": (12, 0.55, "vendor"),
    "vendor_answered": (6, 0.55, "vendor"),
    "escalated_transfer": (12, 0.6, "escalation"),
    "escalated_referral": (10, 0.6, "escalation"),
    "forwarded": (8, 0.6, "visit"),
    "pending_customer": (16, 0.65, None),
    "customer_answered": (8, 0.65, None),
    "open_qualified": (10, 0.7, "subcategory"),
    "open": (25, 0.75, None),
    "new": (45, 1.0, None),
}
CHANNEL_WEIGHTS = {
    Channel.PORTAL: 40,
    Channel.EMAIL: 30,
    Channel.PHONE: 12,
    Channel.WALK_IN: 4,
    Channel.CHAT: 6,
    Channel.API: 3,
    Channel.MONITORING: 5,
}
PRIORITY_WEIGHTS = {Priority.LOW: 15, Priority.NORMAL: 55, Priority.HIGH: 22, Priority.URGENT: 8}

# How long each kind of step waits after the one before, in minutes (low, high). A ticket's
# steps are shrunk together when they would not fit between its creation and now.
DELAYS = {
    "pickup": (4, 180),  # the front line takes a new ticket
    "work": (10, 240),  # an agent's next step
    "customer": (45, 1800),  # the requester answers
    "level2": (60, 2400),  # level 2 looks at an escalated ticket
    "vendor": (1440, 4320),  # the vendor answers (next business day and more)
    "close": (2880, 7200),  # a resolved ticket is closed after a few quiet days
    "reopen": (120, 4320),  # the problem comes back
    "contact": (2, 15),  # answered on the phone or at the desk
}
# Human channels arrive in shop hours (the requester's local time); monitoring at any hour.
SHOP_HOURS = (9, 19)
# The week's shape (issue 13, the reports): tickets from people arrive by these weights per
# hour within SHOP_HOURS (a morning peak, the lunch dip from 13 to 15 h), a share of Tuesday's
# and Wednesday's are moved to the Monday before (the Monday peak), and only a few of the
# weekend's stay there (the rest move to a weekday of the same week).
HOUR_WEIGHTS = {9: 8, 10: 10, 11: 9, 12: 7, 13: 3, 14: 3, 15: 6, 16: 6, 17: 5, 18: 3}
MONDAY_SHARE = 0.3
WEEKEND_KEEP = 0.1
# The help desk (Madrid and Rome share a time zone) works from 08:00 to 20:00; a step that
# would fall outside waits for the next morning.
DESK_HOURS = (8, 20)
DESK_TIMEZONE = "Europe/Madrid"
# A ticket is at least this old when it has steps after its creation; the last step ends at
# least END_MARGIN before the load.
MIN_AGE_WITH_STEPS_MINUTES = 240
END_MARGIN_MINUTES = 20

# What any ticket in a language may say, whatever its problem.
PHRASES = {
    "es": {
        "ack": "Gracias por avisar. Lo estamos revisando y te contamos en cuanto sepamos algo.",
        "reopen": "Ha vuelto a pasar esta mañana, igual que antes.",
        "recategorised": "Categoría corregida según la descripción.",
        "to_vendor": "Fallo del equipo confirmado: necesita al fabricante.",
    },
    "it": {
        "ack": "Grazie della segnalazione. Stiamo verificando e ti aggiorniamo appena possibile.",
        "reopen": "È successo di nuovo stamattina, come prima.",
        "recategorised": "Categoria corretta in base alla descrizione.",
        "to_vendor": "Guasto del dispositivo confermato: serve il produttore.",
    },
    "en": {
        "ack": "Thanks for letting us know. We are looking into it and will update you soon.",
        "reopen": "It happened again this morning, just as before.",
        "recategorised": "Category corrected from the description.",
        "to_vendor": "Device fault confirmed: needs the manufacturer.",
    },
}
VENDOR_NOTE = "Case opened; we are reading the device's logs."
