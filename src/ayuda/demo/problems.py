"""The demo's known problem (R21, R31): the shops' VPN drops every few minutes. A problem under
investigation, an active public bulletin for the VPN category in English, Spanish and
Italian, and a few of the demo's open VPN and network tickets linked to it by the front line,
through the services like everything the demo makes. Loading twice changes nothing."""

from datetime import datetime, timedelta

from ayuda.accounts.models import Role, User
from ayuda.knowledge.models import Bulletin, ProblemStatus
from ayuda.knowledge.problems import bulletin_create, problem_link
from ayuda.tickets.models import Category, Channel, StateCategory, Ticket
from ayuda.tickets.services import ticket_create

TITLE = (
    "Shops cannot stay connected to the VPN",
    "Las tiendas no consiguen mantener la conexión VPN",
    "I negozi non riescono a restare collegati alla VPN",
)
AGREED = (
    "We know: the VPN concentrator in Madrid is overloaded since this morning and drops "
    "sessions. Infrastructure is moving the shops to the backup concentrator. Card payments "
    "work offline; tell the shop to keep selling and not to restart the router. We will "
    "update the ticket when it is fixed.",
    "Lo sabemos: el concentrador VPN de Madrid está saturado desde esta mañana y corta las "
    "sesiones. Infraestructura está pasando las tiendas al concentrador de respaldo. Los pagos "
    "con tarjeta funcionan sin conexión; que la tienda siga vendiendo y no reinicie el router. "
    "Actualizaremos la incidencia cuando esté resuelto.",
    "Lo sappiamo: il concentratore VPN di Madrid è sovraccarico da stamattina e interrompe le "
    "sessioni. Infrastrutture sta spostando i negozi sul concentratore di riserva. I pagamenti "
    "con carta funzionano offline; il negozio continui a vendere e non riavvii il router. "
    "Aggiorneremo il ticket quando sarà risolto.",
)
NOTICE = (
    "The connection between the shops and head office (VPN) is dropping every few minutes. "
    "We are working on it; card payments still work. You do not need to call: press "
    "“This is my problem” and we will tell you when it is fixed.",
    "La conexión entre las tiendas y la central (VPN) se corta cada pocos minutos. Estamos "
    "trabajando en ello; los pagos con tarjeta siguen funcionando. No hace falta llamar: pulse "
    "«Este es mi problema» y le avisaremos cuando esté resuelto.",
    "Il collegamento tra i negozi e la sede (VPN) cade ogni pochi minuti. Ci stiamo lavorando; "
    "i pagamenti con carta funzionano. Non serve chiamare: premi «È il mio problema» e ti "
    "avviseremo quando sarà risolto.",
)
DESCRIPTION = (
    "Since 08:40 the Madrid VPN concentrator runs at full CPU and drops tunnels; the shops "
    "reconnect and drop again."
)
WORKAROUND = "Card terminals fall back to offline mode; do not restart the shops' routers."
LINKED = 4


def _i18n(texts: tuple[str, str, str]) -> dict:
    return {"es": texts[1], "it": texts[2]}


def problems_load(*, now: datetime) -> Bulletin | None:
    if Bulletin.objects.filter(title=TITLE[0]).exists():
        return None
    manager = User.objects.filter(role=Role.MANAGER, is_active=True).order_by("pk").first()
    agent = User.objects.filter(role=Role.AGENT_L1, is_active=True).order_by("pk").first()
    vpn = Category.objects.filter(name="VPN").first()
    if manager is None or agent is None or vpn is None:
        return None
    started = now - timedelta(hours=3)
    bulletin = bulletin_create(
        actor=manager,
        title=TITLE[0],
        agreed_answer=AGREED[0],
        public_notice=NOTICE[0],
        is_public=True,
        categories=[vpn],
        translations={
            "title": _i18n(TITLE),
            "agreed_answer": _i18n(AGREED),
            "public_notice": _i18n(NOTICE),
        },
        starts_at=started,
        at=started,
    )
    problem = bulletin.problem
    problem.description, problem.workaround = DESCRIPTION, WORKAROUND
    problem.status, problem.category, problem.owner = ProblemStatus.KNOWN_ERROR, vpn, manager
    problem.save(update_fields=["description", "workaround", "status", "category", "owner"])
    tickets = list(
        Ticket.objects.filter(category__in=[vpn, *Category.objects.filter(name="Network")])
        .exclude(state_category__in=[StateCategory.RESOLVED, StateCategory.CLOSED])
        .order_by("-created_at")[:LINKED]
    )
    requesters = list(
        User.objects.filter(role=Role.REQUESTER, is_active=True).order_by("pk")[:LINKED]
    )
    for i in range(max(LINKED - len(tickets), 0) if requesters else 0):
        requester = requesters[i % len(requesters)]
        tickets.append(
            ticket_create(
                requester=requester,
                actor=agent,
                channel=Channel.PHONE,
                subject="VPN keeps dropping at the shop",
                description="The till loses the connection to head office every few minutes.",
                category=vpn,
                at=started + timedelta(minutes=20),
            )
        )
    for i, ticket in enumerate(tickets):
        at = max(started + timedelta(minutes=30 + 10 * i), ticket.updated_at + timedelta(minutes=1))
        problem_link(problem=problem, ticket=ticket, actor=agent, at=min(at, now))
    return bulletin
