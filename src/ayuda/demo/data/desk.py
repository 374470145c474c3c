"""Who and what the demo desk is made of: organisations and their sites, teams, the vendor,
a user of every role, and the category tree."""

from ayuda.accounts.models import Level, Role

DEMO_PASSWORD = "ayuda-demo"
# If this organisation exists, the demo is loaded.
DEMO_MARKER_ORGANISATION = "Tiendas Sol"

ORGANISATIONS = [
    {
        "name": "Tiendas Sol",
        "email_domains": "tiendassol.example",
        "language": "es",
        "timezone": "Europe/Madrid",
        "sites": [
            ("Madrid Centro", "MAD-01"),
            ("Madrid Chamberí", "MAD-02"),
            ("Sevilla Nervión", "SVQ-01"),
            ("Valencia Ruzafa", "VLC-01"),
            ("Barcelona Gràcia", "BCN-01"),
        ],
    },
    {
        "name": "Studio Rossi",
        "email_domains": "studiorossi.example",
        "language": "it",
        "timezone": "Europe/Rome",
        "sites": [("Milano Brera", "MI-01"), ("Torino Centro", "TO-01")],
    },
]

# The front line (Service Desk) receives every ticket; Field Service is the front line's
# technicians who visit the shops; the level 2 teams get tickets only by escalation.
TEAMS = [
    ("Service Desk", Level.L1),
    ("Field Service", Level.L1),
    ("Applications", Level.L2),
    ("Infrastructure", Level.L2),
]
FRONT_LINE = "Service Desk"
FIELD_SERVICE = "Field Service"

VENDOR = {
    "name": "CountCo",
    "email": "support@countco.example",
    "case_number_pattern": r"CC-\d{6}",
    "sla_description": "Next business day response; on-site replacement in 3 days.",
}

# username, role, language, time zone, first name, last name, organisation, teams, sites
USERS = [
    ("admin", Role.ADMIN, "en", "UTC", "Alex", "Admin", None, (), ()),
    (
        "manager",
        Role.MANAGER,
        "es",
        "Europe/Madrid",
        "Marta",
        "Gil",
        None,
        ("Service Desk", "Field Service"),
        (),
    ),
    (
        "lucia",
        Role.AGENT_L1,
        "es",
        "Europe/Madrid",
        "Lucía",
        "Navarro",
        None,
        ("Service Desk",),
        (),
    ),
    ("marco", Role.AGENT_L1, "it", "Europe/Rome", "Marco", "Bianchi", None, ("Service Desk",), ()),
    (
        "javier",
        Role.AGENT_L2,
        "es",
        "Europe/Madrid",
        "Javier",
        "Ortega",
        None,
        ("Applications",),
        (),
    ),
    (
        "giulia",
        Role.AGENT_L2,
        "it",
        "Europe/Rome",
        "Giulia",
        "Conti",
        None,
        ("Infrastructure", "Applications"),
        (),
    ),
    ("countco", Role.VENDOR_AGENT, "en", "Europe/London", "Sam", "Porter", None, (), ()),
    (
        "carmen",
        Role.SITE_ADMIN,
        "es",
        "Europe/Madrid",
        "Carmen",
        "Ruiz",
        "Tiendas Sol",
        (),
        ("Madrid Centro", "Madrid Chamberí"),
    ),
    (
        "paola",
        Role.SITE_ADMIN,
        "it",
        "Europe/Rome",
        "Paola",
        "Rossi",
        "Studio Rossi",
        (),
        ("Milano Brera", "Torino Centro"),
    ),
    ("ana", Role.REQUESTER, "es", "Europe/Madrid", "Ana", "López", "Tiendas Sol", (), ()),
    ("pedro", Role.REQUESTER, "es", "Atlantic/Canary", "Pedro", "Díaz", "Tiendas Sol", (), ()),
    ("luca", Role.REQUESTER, "it", "Europe/Rome", "Luca", "Ferrari", "Studio Rossi", (), ()),
    ("emma", Role.REQUESTER, "en", "Europe/Rome", "Emma", "Clarke", "Studio Rossi", (), ()),
]
REQUESTERS = ("ana", "pedro", "luca", "emma", "carmen", "paola")
SITE_ADMINS = ("carmen", "paola")  # who monitoring alerts are raised for
FRONT_LINE_AGENTS = {"es": ("lucia",), "it": ("marco",), "en": ("lucia", "marco")}

# name, parent, is_software, default team, extra fields. No category goes straight to level 2
# (Category.routes_to_level_2 stays False): the front line receives every ticket first, and a
# level 2 default team is where the front line escalates the category's tickets.
COUNTER_FIELDS = [
    {
        "name": "serial",
        "label": {"en": "Serial number", "es": "Número de serie", "it": "Numero di serie"},
        "type": "text",
        "required": True,
    },
    {
        "name": "model",
        "label": {"en": "Model", "es": "Modelo", "it": "Modello"},
        "type": "choice",
        "required": False,
        "choices": ["CC-200", "CC-300 3D"],
    },
]
CATEGORIES = [
    ("Hardware", None, False, "Service Desk", []),
    ("People counter", "Hardware", False, "Infrastructure", COUNTER_FIELDS),
    ("POS terminal", "Hardware", False, "Field Service", []),
    ("Printer", "Hardware", False, "Field Service", []),
    ("Software", None, False, "Applications", []),
    ("Point of sale app", "Software", True, "Applications", []),
    ("Back office web", "Software", True, "Applications", []),
    ("Network", None, False, "Infrastructure", []),
    ("Wi-Fi", "Network", False, "Infrastructure", []),
    ("VPN", "Network", False, "Infrastructure", []),
    ("Accounts and access", None, False, "Service Desk", []),
    ("Password reset", "Accounts and access", False, "Service Desk", []),
]
# Category names in the requesters' languages (names that read the same stay untranslated).
CATEGORY_NAMES = {
    "Hardware": {"es": "Equipos", "it": "Dispositivi"},
    "People counter": {"es": "Contador de personas", "it": "Conta persone"},
    "POS terminal": {"es": "Terminal punto de venta (TPV)", "it": "Terminale POS"},
    "Printer": {"es": "Impresora", "it": "Stampante"},
    "Point of sale app": {"es": "Aplicación de TPV", "it": "App di cassa"},
    "Network": {"es": "Red", "it": "Rete"},
    "Accounts and access": {"es": "Cuentas y accesos", "it": "Account e accessi"},
    "Password reset": {"es": "Restablecer contraseña", "it": "Reimpostazione password"},
}
