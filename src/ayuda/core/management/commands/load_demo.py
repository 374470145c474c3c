"""``manage.py load_demo``: the demo data ``make run`` loads once.

Two customer organisations with sites, level-1 and level-2 teams, a device vendor, a user of
every role in Spanish, Italian and English, a category tree and a few hundred tickets in every
state and channel. Every ticket and every change to it goes through ``ayuda.tickets.services``,
exactly as the web app would do it, so the demo history is real history (hash-chained).

Idempotent: if the demo organisations exist, it only prints the log-ins again. The demo's
history is made up, so it sends no acknowledgements (the notification handler is off while
it loads; every other after-commit handler runs).
All demo users share the password ``ayuda-demo``; the log-ins are written to
``DATA_DIR/demo-logins.txt``.
"""

import random
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from ayuda.accounts.models import Level, Organisation, Role, Site, Team, User, Vendor
from ayuda.notifications.sweep import cursor_to_end
from ayuda.tickets import services
from ayuda.tickets.attachments import IncomingFile
from ayuda.tickets.models import (
    Category,
    Channel,
    EscalationMode,
    Priority,
    TicketType,
)

DEMO_PASSWORD = "ayuda-demo"
SILENT_HANDLERS = {"ayuda.notifications.handlers.ticket_events_notify"}
DEMO_MARKER_ORGANISATION = "Tiendas Sol"
TICKET_COUNT = 300
SPREAD_DAYS = 60
SEED = 20261122

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

TEAMS = [
    ("Service Desk", Level.L1),
    ("Applications", Level.L2),
    ("Infrastructure", Level.L2),
]

# username, role, language, time zone, first name, last name, organisation, teams, sites
USERS = [
    ("admin", Role.ADMIN, "en", "UTC", "Alex", "Admin", None, (), ()),
    ("manager", Role.MANAGER, "es", "Europe/Madrid", "Marta", "Gil", None, ("Service Desk",), ()),
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

# name, parent, is_software, default team, extra fields
CATEGORIES = [
    ("Hardware", None, False, "Service Desk", []),
    (
        "People counter",
        "Hardware",
        False,
        "Infrastructure",
        [
            {"name": "serial", "label": "Serial number", "type": "text", "required": True},
            {
                "name": "model",
                "label": "Model",
                "type": "choice",
                "required": False,
                "choices": ["CC-200", "CC-300 3D"],
            },
        ],
    ),
    ("POS terminal", "Hardware", False, "Service Desk", []),
    ("Printer", "Hardware", False, "Service Desk", []),
    ("Software", None, False, "Applications", []),
    ("Point of sale app", "Software", True, "Applications", []),
    ("Back office web", "Software", True, "Applications", []),
    ("Network", None, False, "Infrastructure", []),
    ("Wi-Fi", "Network", False, "Infrastructure", []),
    ("VPN", "Network", False, "Infrastructure", []),
    ("Accounts and access", None, False, "Service Desk", []),
    ("Password reset", "Accounts and access", False, "Service Desk", []),
]

# Subjects and descriptions per language: (subject, description, category).
TEXTS = {
    "es": [
        (
            "El contador de personas no envía datos",
            "Desde ayer el panel no muestra entradas.",
            "People counter",
        ),
        ("La impresora de tickets no imprime", "Sale el papel en blanco en la caja 2.", "Printer"),
        (
            "El TPV se queda bloqueado al cobrar",
            "Al pasar la tarjeta la pantalla se congela.",
            "Point of sale app",
        ),
        (
            "No puedo entrar en el back office",
            "Me dice que la contraseña ha caducado.",
            "Password reset",
        ),
        (
            "El wifi de la tienda va muy lento",
            "Los terminales tardan minutos en sincronizar.",
            "Wi-Fi",
        ),
        (
            "Error al exportar el informe de ventas",
            "El botón Exportar da un error 500.",
            "Back office web",
        ),
        (
            "Solicitud de alta de usuario nuevo",
            "Entra una dependienta nueva el lunes.",
            "Accounts and access",
        ),
        (
            "Mejora: filtro por fecha en el informe",
            "Nos vendría bien filtrar por semana.",
            "Back office web",
        ),
    ],
    "it": [
        (
            "Il contapersone non invia i dati",
            "Da ieri la dashboard non mostra ingressi.",
            "People counter",
        ),
        (
            "La stampante non funziona",
            "Il foglio esce bianco dalla stampante dello studio.",
            "Printer",
        ),
        ("La VPN non si collega", "Da casa la VPN si disconnette dopo un minuto.", "VPN"),
        ("Password scaduta", "Non riesco ad accedere al gestionale.", "Password reset"),
        ("Errore nel gestionale web", "Salvando una fattura compare un errore.", "Back office web"),
        (
            "Il terminale POS si blocca",
            "Il pagamento con carta resta in attesa.",
            "Point of sale app",
        ),
        ("Richiesta nuovo portatile", "Serve un portatile per il nuovo collaboratore.", "Hardware"),
        ("Rete lenta in ufficio", "Il Wi-Fi cade spesso nella sala riunioni.", "Wi-Fi"),
    ],
    "en": [
        (
            "People counter shows zero visitors",
            "The counter at the entrance reports nothing.",
            "People counter",
        ),
        ("Cannot log in to the back office", "It says my account is locked.", "Password reset"),
        ("Report export fails", "Exporting the monthly report gives an error.", "Back office web"),
        ("Question about VPN access", "How do I get VPN access for travel?", "VPN"),
        ("Printer jams every morning", "The office printer jams on the first job.", "Printer"),
        (
            "Feature request: dark mode",
            "The back office would be easier on the eyes.",
            "Back office web",
        ),
    ],
}

REPLIES = {
    "es": "Gracias, lo estamos revisando. ¿Puedes enviarnos una foto de la pantalla?",
    "it": "Grazie, stiamo verificando. Puoi mandarci una foto dello schermo?",
    "en": "Thanks, we are looking into it. Could you send us a photo of the screen?",
}
CUSTOMER_ANSWERS = {
    "es": "Adjunto la información que pedíais. Sigue pasando.",
    "it": "Ecco le informazioni richieste. Succede ancora.",
    "en": "Here is the information you asked for. It still happens.",
}
SOLUTIONS = {
    "es": "Hemos reiniciado el equipo y actualizado el firmware. Ya funciona.",
    "it": "Abbiamo riavviato il dispositivo e aggiornato il firmware. Ora funziona.",
    "en": "We restarted the device and updated its firmware. It works again.",
}

# A 1x1 PNG, used as a screenshot on a few tickets.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)

# What happens to a ticket after it is created, and roughly how many tickets get each.
# The stage (0 = settled long ago, 1 = just arrived) pairs older tickets with later stages.
SCENARIOS = {
    "closed": (70, 0.0),
    "closed_after_referral": (10, 0.05),
    "closed_after_vendor": (8, 0.1),
    "resolved": (30, 0.3),
    "resolved_by_l2": (12, 0.3),
    "contact_resolved": (10, 0.35),
    "reopened": (8, 0.45),
    "pending_vendor": (12, 0.55),
    "vendor_answered": (6, 0.55),
    "escalated_transfer": (12, 0.6),
    "escalated_referral": (10, 0.6),
    "forwarded": (8, 0.6),
    "pending_customer": (16, 0.65),
    "customer_answered": (8, 0.65),
    "open_qualified": (10, 0.7),
    "open": (25, 0.75),
    "new": (45, 1.0),
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


@dataclass
class Demo:
    organisations: dict[str, Organisation]
    sites: dict[str, Site]
    teams: dict[str, Team]
    vendor: Vendor
    users: dict[str, User]
    categories: dict[str, Category]


def logins_text() -> str:
    lines = [
        f"Ayuda demo log-ins (password for every user: {DEMO_PASSWORD})",
        "",
        f"{'username':<10} {'role':<32} {'language':<9} organisation",
    ]
    for username, role, language, _tz, *_names, organisation, _teams, _sites in USERS:
        label = f"{Role(role).label} ({role})"
        lines.append(f"{username:<10} {label:<32} {language:<9} {organisation or '-'}")
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = (
        "Load the demo data once (organisations, teams, users of every role, categories and "
        f"{TICKET_COUNT} tickets made through the ticket services). Does nothing if it is "
        f"already loaded. Password for every demo user: {DEMO_PASSWORD}"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load the demo even with DEBUG off (it creates an administrator whose "
            "password everyone can read in the README).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "DEBUG is off: this looks like a production site, and the demo creates an "
                "administrator with a published password. Use --allow-production to load it "
                "anyway."
            )
        started = time.monotonic()
        if Organisation.objects.filter(name=DEMO_MARKER_ORGANISATION).exists():
            self.stdout.write("Demo data already loaded; nothing to do.")
        else:
            # The demo's made-up history sends no mail: every other after-commit handler runs.
            handlers = [h for h in settings.TICKET_EVENT_HANDLERS if h not in SILENT_HANDLERS]
            with override_settings(TICKET_EVENT_HANDLERS=handlers), transaction.atomic():
                demo = self.reference_data()
                count = self.tickets(demo)
                cursor_to_end()  # nor does the notification sweep pick it up later
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded demo data: {len(USERS)} users, {count} tickets "
                    f"in {time.monotonic() - started:.1f} s."
                )
            )
        text = logins_text()
        path = settings.DATA_DIR / "demo-logins.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.stdout.write(text)
        self.stdout.write(f"(also written to {path})")

    # Reference data -----------------------------------------------------------------------

    def reference_data(self) -> Demo:
        organisations, sites = {}, {}
        for spec in ORGANISATIONS:
            org = Organisation.objects.create(
                name=spec["name"],
                email_domains=spec["email_domains"],
                language=spec["language"],
                timezone=spec["timezone"],
            )
            organisations[org.name] = org
            for name, code in spec["sites"]:
                sites[name] = Site.objects.create(organisation=org, name=name, code=code)
        teams = {
            name: Team.objects.get_or_create(
                name=name,
                defaults={"level": level, "email": f"{name.split()[0].lower()}@ayuda.example"},
            )[0]
            for name, level in TEAMS
        }
        vendor = Vendor.objects.get_or_create(
            name="CountCo",
            defaults={
                "email": "support@countco.example",
                "case_number_pattern": r"CC-\d{6}",
                "sla_description": "Next business day response; on-site replacement in 3 days.",
            },
        )[0]
        password = make_password(DEMO_PASSWORD)  # hash once, share it: hashing is slow
        users = {}
        for username, role, language, tz, first, last, org, team_names, site_names in USERS:
            organisation = organisations.get(org) if org else None
            domain = organisation.domain_list()[0] if organisation else "ayuda.example"
            user = User.objects.create(
                username=username,
                email=f"{username}@{'countco.example' if role == Role.VENDOR_AGENT else domain}",
                first_name=first,
                last_name=last,
                role=role,
                language=language,
                timezone=tz,
                organisation=organisation,
                vendor=vendor if role == Role.VENDOR_AGENT else None,
                is_staff=role == Role.ADMIN,
                is_superuser=role == Role.ADMIN,
                password=password,
            )
            user.teams.set([teams[name] for name in team_names])
            user.sites.set([sites[name] for name in site_names])
            users[username] = user
        categories: dict[str, Category] = {}
        for name, parent, is_software, team, extra_fields in CATEGORIES:
            categories[name] = Category.objects.get_or_create(
                name=name,
                parent=categories.get(parent) if parent else None,
                defaults={
                    "is_software": is_software,
                    "default_team": teams[team],
                    "extra_fields": extra_fields,
                },
            )[0]
        return Demo(organisations, sites, teams, vendor, users, categories)

    # Tickets ------------------------------------------------------------------------------

    def tickets(self, demo: Demo) -> int:
        rng = random.Random(SEED)
        now = timezone.now()
        times = sorted(
            now - timedelta(seconds=rng.uniform(600, SPREAD_DAYS * 86400))
            for _ in range(TICKET_COUNT)
        )
        scenarios = self._spread(rng, {k: w for k, (w, _stage) in SCENARIOS.items()})
        # Pair older tickets with settled scenarios, with some noise.
        scenarios.sort(key=lambda s: SCENARIOS[s][1] + rng.uniform(-0.3, 0.3))
        channels = self._spread(rng, CHANNEL_WEIGHTS)
        rng.shuffle(channels)
        types = self._spread(rng, {t: w for t, w in zip(TicketType, (60, 25, 10, 5), strict=True)})
        rng.shuffle(types)
        priorities = self._spread(
            rng, {p: w for p, w in zip(Priority, (15, 55, 22, 8), strict=True)}
        )
        rng.shuffle(priorities)
        for i, at in enumerate(times):
            scenario = scenarios[i]
            channel = channels[i]
            if scenario == "contact_resolved" and channel not in (Channel.PHONE, Channel.WALK_IN):
                channel = rng.choice([Channel.PHONE, Channel.WALK_IN])
            ticket = self._create(demo, rng, at, channel, types[i], priorities[i], i)
            self._play(demo, rng, ticket, scenario)
        return TICKET_COUNT

    @staticmethod
    def _spread(rng: random.Random, weights: dict) -> list:
        """TICKET_COUNT values: each key at least once, the rest drawn by weight."""
        values = list(weights)
        values += rng.choices(list(weights), weights=list(weights.values()), k=TICKET_COUNT)
        return values[:TICKET_COUNT]

    def _create(self, demo: Demo, rng, at, channel, type_, priority, i):
        u = demo.users
        if channel == Channel.MONITORING:
            requester = rng.choice([u["carmen"], u["paola"]])
        else:
            requester = rng.choice(
                [u["ana"], u["pedro"], u["luca"], u["emma"], u["carmen"], u["paola"]]
            )
        language = requester.language
        subject, description, category_name = rng.choice(TEXTS[language])
        category = demo.categories[category_name]
        org_sites = [
            s for s in demo.sites.values() if s.organisation_id == requester.organisation_id
        ]
        if requester.role == Role.SITE_ADMIN:
            org_sites = list(requester.sites.all())
        site = rng.choice(org_sites)
        environment, extra = {}, {}
        if category.is_software:
            environment = {
                "steps_to_reproduce": "1. Open the screen\n2. Press Save\n3. See the error",
                "url": "https://backoffice.example/sales/report",
                "software_version": rng.choice(["4.2.1", "4.3.0", "5.0.0-beta"]),
                "software_edition": rng.choice(["Retail", "Professional"]),
                "browser": "Firefox 140",
                "operating_system": "Windows 11",
            }
        if category.extra_fields:
            extra = {"serial": f"CC{rng.randint(100000, 999999)}", "model": "CC-300 3D"}
        actor, kind_kwargs = requester, {}
        if channel == Channel.MONITORING:
            actor = None
            subject = f"[Monitor] {site.code}: people counter silent for 3 days"
            description = "Scanner: no heartbeat received from the device for 3 days."
            category = demo.categories["People counter"]
            extra = {"serial": f"CC{rng.randint(100000, 999999)}"}
            type_ = TicketType.INCIDENT
        elif channel == Channel.EMAIL:
            actor = None
            kind_kwargs["email"] = services.EmailMeta(
                message_id=f"<demo-{i}@{requester.email.split('@')[1]}>",
                email_from=requester.email,
                email_to="support@ayuda.example",
            )
        elif channel in (Channel.PHONE, Channel.WALK_IN):
            actor = rng.choice([u["lucia"], u["marco"]])
        attachments = []
        if i % 17 == 0 and channel in (Channel.PORTAL, Channel.EMAIL, Channel.CHAT):
            attachments = [IncomingFile(name="screenshot.png", content=PNG)]
        return services.ticket_create(
            requester=requester,
            actor=actor,
            subject=subject,
            description=description,
            channel=channel,
            type=type_,
            category=category,
            priority=priority,
            site=site,
            environment=environment,
            extra=extra,
            attachments=attachments,
            at=at,
            **kind_kwargs,
        )

    def _play(self, demo: Demo, rng, ticket, scenario: str) -> None:
        u, t = demo.users, demo.teams
        l1 = rng.choice([u["lucia"], u["marco"]])
        l2 = u["javier"] if rng.random() < 0.5 else u["giulia"]
        lang = ticket.requester.language
        requester = ticket.requester

        def assign_l1():
            return services.ticket_assign(ticket=ticket, actor=l1, team=t["Service Desk"], owner=l1)

        def resolve(actor):
            return services.ticket_resolve(ticket=ticket, actor=actor, solution=SOLUTIONS[lang])

        def to_vendor():
            services.ticket_escalate_to_vendor(
                ticket=ticket,
                actor=l1,
                vendor=demo.vendor,
                reason="Device fault confirmed; needs the manufacturer.",
                reference=f"CC-{rng.randint(100000, 999999)}",
            )
            services.article_add_note(
                ticket=ticket, actor=u["countco"], body="We are checking the device logs."
            )

        def vendor_back():
            services.ticket_hand_back(
                ticket=ticket,
                actor=u["countco"],
                answer="Firmware 2.14 fixes it; pushed remotely to the device.",
            )

        def escalate(mode):
            services.ticket_escalate(
                ticket=ticket,
                actor=l1,
                team=t["Applications"],
                mode=mode,
                reason="Needs a specialist: reproducible error in the application.",
            )

        if scenario == "new":
            return
        if scenario == "contact_resolved":
            # Logged by an agent on the phone or at the desk and answered on the spot.
            services.ticket_assign(ticket=ticket, actor=l1, team=t["Service Desk"], owner=l1)
            resolve(l1)
            return
        assign_l1()
        if scenario == "open":
            services.article_add_reply(ticket=ticket, actor=l1, body=REPLIES[lang])
        elif scenario == "open_qualified":
            services.ticket_qualify(
                ticket=ticket,
                actor=l1,
                category=demo.categories["Network"],
                type=TicketType.INCIDENT,
                priority=Priority.HIGH,
            )
            services.article_add_note(ticket=ticket, actor=l1, body="Recategorised: it is the LAN.")
        elif scenario in ("pending_customer", "customer_answered"):
            services.article_add_reply(
                ticket=ticket, actor=l1, body=REPLIES[lang], ask_customer=True
            )
            if scenario == "customer_answered":
                services.article_add_customer(
                    ticket=ticket,
                    author=requester,
                    body=CUSTOMER_ANSWERS[lang],
                    attachments=[IncomingFile(name="photo.png", content=PNG)],
                )
        elif scenario == "forwarded":
            services.ticket_forward(
                ticket=ticket, actor=l1, team=t["Infrastructure"], reason="Network problem."
            )
        elif scenario == "escalated_transfer":
            escalate(EscalationMode.TRANSFER)
            services.ticket_assign(ticket=ticket, actor=l2, team=t["Applications"], owner=l2)
            services.article_add_note(ticket=ticket, actor=l2, body="Reproduced in staging.")
        elif scenario == "escalated_referral":
            escalate(EscalationMode.REFERRAL)
            services.article_add_note(ticket=ticket, actor=l2, body="Looking at the server logs.")
        elif scenario == "resolved_by_l2":
            escalate(EscalationMode.TRANSFER)
            services.ticket_assign(ticket=ticket, actor=l2, team=t["Applications"], owner=l2)
            resolve(l2)
        elif scenario == "closed_after_referral":
            escalate(EscalationMode.REFERRAL)
            services.ticket_hand_back(
                ticket=ticket, actor=l2, answer="Clear the cache and restart the app."
            )
            resolve(l1)
            services.ticket_close(ticket=ticket, actor=l1)
        elif scenario == "pending_vendor":
            to_vendor()
        elif scenario == "vendor_answered":
            to_vendor()
            vendor_back()
        elif scenario == "closed_after_vendor":
            to_vendor()
            vendor_back()
            resolve(l1)
            services.ticket_close(ticket=ticket, actor=l1)
        elif scenario in ("resolved", "closed", "reopened"):
            services.article_add_reply(ticket=ticket, actor=l1, body=REPLIES[lang])
            resolve(l1)
            if scenario == "closed":
                services.ticket_close(ticket=ticket, actor=l1)
            elif scenario == "reopened":
                services.article_add_customer(
                    ticket=ticket, author=requester, body=CUSTOMER_ANSWERS[lang]
                )
        else:  # pragma: no cover - a typo in SCENARIOS
            raise ValueError(scenario)
