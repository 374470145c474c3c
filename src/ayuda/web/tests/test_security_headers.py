"""Every page of the workspace, the portal and the admin carries the Content-Security-Policy and
the Permissions-Policy, and needs nothing the policy refuses (docs/security.md).

The walk visits every named URL pattern as a role that may use it, on a small desk with a
ticket in each place a page shows (an HTML mail with an inline image, attachments, an
escalation to the vendor), and one row of every model the admin lists. A URL pattern the walk
does not know fails the test, so a new page is added here when it is written.
"""

import pytest
from django.contrib.auth.models import Group
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import user_make
from ayuda.accounts.tokens import token_create
from ayuda.core.tests.security_headers import is_html, response_problems
from ayuda.devices.models import Device
from ayuda.devices.tests.health_factories import device_make, incident_make
from ayuda.intake.email.ingest import mail_ingest
from ayuda.intake.tests.factories import mailbox_make
from ayuda.intake.tests.mail_fixtures import fixture_bytes
from ayuda.sla.calendars import calendar_24x7
from ayuda.tickets.attachments import IncomingFile
from ayuda.tickets.models import Attachment, SavedView, StateCategory
from ayuda.tickets.tests.factories import category_make, desk_make, ticket_in

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 17 + b"\x00\x00\x00\x00IEND\xaeB`\x82"

#: URL names the walk cannot reach with a plain request, and why.
NOT_WALKED = {
    "admin:view_on_site": "a redirect to the object's own page (none of ours has one)",
    "admin:None": "the admin's catch-all and old-style change URLs: redirects",
}


def url_names() -> set[str]:
    names = set()

    def walk(resolver: URLResolver, namespace: str) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern, inner)
            elif isinstance(pattern, URLPattern):
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver(), "")
    return names


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the acknowledgements are mailed
        return _world()


def _world() -> dict:
    desk = desk_make()
    superuser = user_make(role=Role.ADMIN, is_staff=True, is_superuser=True)
    category_make()
    escalated = ticket_in(
        StateCategory.PENDING_VENDOR,
        desk=desk,
        attachments=[IncomingFile("screen.png", PNG)],
    )
    mailbox = mailbox_make()
    row, _ = mail_ingest(raw=fixture_bytes("inline_image_related.eml"), mailbox=mailbox)
    mail_ingest(raw=fixture_bytes("outlook_html_only.eml"), mailbox=mailbox)
    saved = SavedView.objects.create(user=desk.agent_l1, name="Mine", query="status=all")
    Group.objects.create(name="Auditors")
    _webhook_log(superuser)
    _health_incident(desk)
    _sla_policy()
    token = token_create(user=desk.agent_l1, name="Walk", scopes=["read"], expires_at=None)
    device = device_make(site=desk.site, last_heartbeat_at=timezone.now())
    incident = incident_make(device=device, requester=desk.requester, opened_at=timezone.now())
    action = _guide_and_action(desk, escalated)
    trees = _trees_walked(desk)
    bulletin = _bulletin(desk, escalated)
    from ayuda.notifications.inapp import notify
    from ayuda.notifications.models import Notification

    notify(recipients=[desk.agent_l1], kind="assigned", ticket=escalated, data={"walk": 1})
    return {
        **trees,
        "notification": Notification.objects.get(user=desk.agent_l1, data__walk=1),
        "action": action,
        "device": device,
        "incident_ticket": incident.ticket,
        "token": token.token,
        "desk": desk,
        "superuser": superuser,
        "ticket": escalated,
        "attachment": Attachment.objects.filter(ticket=escalated).first(),
        "mail": row,
        "mail_ticket": row.ticket,
        "saved": saved,
        "article": _kb_article(desk),
        "bulletin": bulletin,
    }


def _kb_article(desk):
    from ayuda.knowledge.tests.article_factories import article_make

    return article_make(desk, title="Printer jam", body="<p>Open the cover.</p>")


def _bulletin(desk, ticket):
    """An active public bulletin, its problem with a linked ticket and an update (banners,
    the problem pages, the admin's)."""
    from ayuda.knowledge.models import ProblemUpdate, UpdateKind
    from ayuda.knowledge.problems import problem_link
    from ayuda.knowledge.tests.problems_factories import bulletin_make

    bulletin = bulletin_make(
        title="Portal login slow", is_public=True, public_notice="We are <b>on it</b>."
    )
    problem_link(problem=bulletin.problem, ticket=ticket, actor=desk.agent_l1)
    ProblemUpdate.objects.create(
        problem=bulletin.problem,
        kind=UpdateKind.UPDATE,
        message="Still on it.",
        actor=desk.manager,
        created_at=timezone.now(),
        total=1,
    )
    return bulletin


def _guide_and_action(desk, ticket):
    """A category guide (admin pages) and an action for the site admin (My actions)."""
    from datetime import timedelta

    from django.utils import timezone

    from ayuda.knowledge.models import ActionKind, AssignedAction
    from ayuda.knowledge.tests.factories import guide_make

    guide_make(category=category_make())
    return AssignedAction.objects.create(
        ticket=ticket,
        kind=ActionKind.TASK,
        instructions="Check the cable",
        assignee=desk.requester,
        due_at=timezone.now() + timedelta(days=1),
        created_at=timezone.now(),
    )


def _trees_walked(desk) -> dict:
    """A published decision tree (R18), a requester's walk in the portal and an agent's on the
    phone, each one answer in."""
    from ayuda.knowledge.tests.tree_factories import choice, tree_make
    from ayuda.knowledge.trees_services import walk_answer, walk_start

    tree = tree_make()
    walks = {}
    for name, user, portal in (("portal", desk.requester, True), ("agent", desk.agent_l1, False)):
        walk = walk_start(tree=tree, user=user, in_portal=portal)
        walks[f"{name}_walk"] = walk_answer(
            walk=walk, choice_id=choice(tree, "on", "Yes").pk, user=user
        )
    return {"tree": tree, **walks}


def _webhook_log(owner) -> None:
    """A turned-off subscription with one delivery in its log: pages to walk, nothing sent."""
    from django.utils import timezone

    from ayuda.core.crypto import encrypt
    from ayuda.tickets.models import TicketEvent
    from ayuda.webhooks.models import Delivery, Subscription
    from ayuda.webhooks.signing import secret_new

    subscription = Subscription.objects.create(
        name="Monitoring",
        url="https://hooks.example.com/ayuda",
        event_types=["ticket.created"],
        owner=owner,
        secret_encrypted=encrypt(secret_new()),
        is_active=False,
    )
    Delivery.objects.create(
        subscription=subscription,
        event=TicketEvent.objects.order_by("pk").first(),
        event_type="ticket.created",
        message_id="msg_walk",
        body="{}",
        status="failed",
        created_at=timezone.now(),
    )


def _health_incident(desk) -> None:
    """A silent device at the desk's site, a scan rule and the incident its scan raised."""
    from datetime import timedelta

    from django.utils import timezone

    from ayuda.devices.models import ScanRule
    from ayuda.devices.scan import rule_scan

    Device.objects.create(
        site=desk.site, serial="WALK-1", last_heartbeat_at=timezone.now() - timedelta(days=9)
    )
    rule = ScanRule.objects.create(
        name="Silent", kind="device_silent", threshold=3, category=category_make(), message_en="x"
    )
    rule_scan(rule=rule)


def _sla_policy() -> None:
    """A service-level policy for the admin's pages."""
    from ayuda.sla.models import Calendar, SlaPolicy

    calendar = Calendar.objects.create(name="Walk 24x7", always_open=True)
    SlaPolicy.objects.create(name="Walk", calendar=calendar, first_response_minutes=60)


def _admin_models():
    from django.contrib import admin

    return list(admin.site._registry)


def requests_to_make(world) -> list[tuple[str, object, str, str, dict]]:
    """(who, user, method, url, data) for every page and form target."""
    desk, superuser = world["desk"], world["superuser"]
    ticket, mail_ticket = world["ticket"], world["mail_ticket"]
    requester, agent, saved = mail_ticket.requester, desk.agent_l1, world["saved"]
    plan = []

    def get(who, user, name, *args, query=""):
        plan.append((who, user, "get", reverse(name, args=args) + query, {}))

    def post(who, user, name, *args, data=None):
        plan.append((who, user, "post", reverse(name, args=args), data or {}))

    for name in ("login", "admin:login", "health", "javascript-catalog"):
        get("anonymous", None, name)
    post("anonymous", None, "language", data={"language": "es", "next": "/login/"})
    post("anonymous", None, "set_language", data={"language": "es"})
    post("anonymous", None, "login", data={"username": "x", "password": "y"})

    for user in (desk.requester, requester):
        for name in ("home", "portal:home", "portal:ticket_new", "preferences"):
            get("requester", user, name)
        post("requester", user, "portal:ticket_new")
    get("requester", desk.requester, "portal:ticket", ticket.pk)
    get("requester", desk.requester, "portal:attachment", world["attachment"].pk)
    get("requester", requester, "portal:ticket", mail_ticket.pk)
    post("requester", requester, "portal:ticket_reply", mail_ticket.pk, data={"body": ""})
    get("requester", desk.requester, "portal:actions")
    post("requester", desk.requester, "portal:action_done", world["action"].pk)
    post("requester", desk.requester, "portal:guide_save", ticket.pk)
    tree, portal_walk, agent_walk = world["tree"], world["portal_walk"], world["agent_walk"]
    get("requester", desk.requester, "portal:help")
    get("requester", desk.requester, "portal:tree_walk", tree.pk)
    post("requester", desk.requester, "portal:tree_walk", tree.pk)
    get("requester", desk.requester, "portal:tree_walk_show", portal_walk.pk)
    get("requester", desk.requester, "portal:ticket_new", query=f"?walk={portal_walk.pk}")
    for name in ("portal:tree_answer", "portal:tree_back", "portal:tree_abandon"):
        post("requester", desk.requester, name, portal_walk.pk)
    get("agent", agent, "agent:trees")
    get("agent", agent, "agent:tree_walk", tree.pk)
    post("agent", agent, "agent:tree_walk", tree.pk)
    get("agent", agent, "agent:tree_walk_show", agent_walk.pk)
    for name in ("agent:tree_answer", "agent:tree_back", "agent:tree_abandon"):
        post("agent", agent, name, agent_walk.pk)
    post("agent", agent, "agent:ticket_tree_start", ticket.pk, tree.pk)
    get("site admin", desk.site_admin, "portal:actions")
    get("site admin", desk.site_admin, "portal:home")
    get("site admin", desk.site_admin, "portal:ticket", ticket.pk)
    get("site admin", desk.site_admin, "portal:devices", query="?status=silent&q=x")
    get("site admin", desk.site_admin, "portal:device", world["device"].pk)
    get("site admin", desk.site_admin, "portal:ticket", world["incident_ticket"].pk)
    get("agent", agent, "agent:devices", query="?status=incidents")
    get("agent", agent, "agent:device", world["device"].pk)
    get("agent", agent, "agent:ticket", world["incident_ticket"].pk)

    for pk in (ticket.pk, mail_ticket.pk):
        get("agent", agent, "agent:ticket", pk)
        get("agent", agent, "agent:history", pk)
    for name in ("home", "agent:queue", "agent:contact_new", "preferences"):
        get("agent", agent, name)
    get("agent", agent, "agent:queue", query=f"?status=all&view={saved.pk}")
    get("agent", agent, "agent:attachment", world["attachment"].pk)
    post("agent", agent, "agent:contact_new")
    post("agent", agent, "agent:view_save", data={"name": ""})
    post("agent", agent, "agent:view_delete", saved.pk)
    post("agent", agent, "agent:ticket_action", ticket.pk, "reply", data={"body": ""})
    post("agent", agent, "agent:guide_save", ticket.pk)
    get("agent", agent, "agent:action_new", ticket.pk)
    post("agent", agent, "agent:action_new", ticket.pk)
    get("agent", agent, "agent:notifications")
    get("agent", agent, "agent:notifications", query="?after=bad")
    get("agent", agent, "agent:notifications_bell")
    post("agent", agent, "agent:notification_open", world["notification"].pk)
    post("agent", agent, "agent:notifications_read_all")
    post("agent", agent, "agent:notification_preferences", data={"assigned-in_app": "on"})
    get("agent", agent, "tokens")
    post("agent", agent, "tokens", data={"name": ""})
    post("agent", agent, "token_revoke", world["token"].pk)
    # The API through the session (its answers are JSON, with the same headers).
    for name in sorted(n for n in url_names() if n.startswith("api-v1:")):
        try:
            reverse(name)
        except NoReverseMatch:
            args = [world["attachment"].pk if "attachment" in name else ticket.pk]
        else:
            args = []
        get("agent", agent, name, *args)
    post("agent", agent, "api-v1:ticket_list", data={})
    get("agent", agent, "api_not_found", "nowhere")
    get("manager", desk.manager, "agent:sla", query="?since=2026-01-01&until=2026-12-31")
    get("manager", desk.manager, "agent:sla_export", "policy")
    # Reports (issue 13): each page with its charts, a bad range (422), the exports.
    get("manager", desk.manager, "agent:reports")
    get("agent", agent, "agent:reports", query="?since=2026-03-10&until=2026-03-01")
    get("manager", desk.manager, "agent:reports_export", "channels")
    get("manager", desk.manager, "agent:reports_export", "tickets")
    get("manager", desk.manager, "agent:reports_calls")
    get("manager", desk.manager, "agent:reports_calls_list")
    get("manager", desk.manager, "agent:reports_calls_export", "calls")
    get("manager", desk.manager, "agent:reports_staffing")
    get("manager", desk.manager, "agent:reports_staffing_export", "hours")
    get("agent", agent, "agent:queue", query="?order=due&breached=1")
    _kb_requests(get, post, desk, world["article"], ticket)
    get("vendor agent", desk.vendor_agent, "agent:queue")
    # Problems and bulletins: the pages, and their forms sent empty (refused, nothing changes).
    bulletin = world["bulletin"]
    problem_id = bulletin.problem_id
    get("agent", agent, "agent:problems", query="?status=open")
    get("manager", desk.manager, "agent:problem", problem_id)
    get("agent", agent, "agent:problem", problem_id, query="?after=1")
    post("agent", agent, "agent:problem_new")
    post("agent", agent, "agent:problem_edit", problem_id)
    for name in ("agent:bulletin_new", "agent:problem_resolve", "agent:problem_message"):
        post("manager", desk.manager, name, problem_id)
    post("manager", desk.manager, "agent:bulletin_close", bulletin.pk, data={"resolve": "on"})
    post("manager", desk.manager, "agent:update_resume", bulletin.problem.updates.get().pk)
    post("agent", agent, "agent:problem_link", ticket.pk)
    post("agent", agent, "agent:problem_unlink", mail_ticket.pk)
    post("agent", agent, "agent:queue_link", data={"bulletin": bulletin.pk})
    post("requester", desk.requester, "portal:bulletin_affected", bulletin.pk)
    get("vendor agent", desk.vendor_agent, "agent:ticket", ticket.pk)
    post("agent", agent, "logout")

    for name in ("admin:index", "admin:password_change", "admin:password_change_done"):
        get("superuser", superuser, name)
    get("superuser", superuser, "admin:jsi18n")
    query = "?app_label=tickets&model_name=ticket&field_name=requester&term=a"
    get("superuser", superuser, "admin:autocomplete", query=query)
    get("superuser", superuser, "admin:intake_inboundmail_raw", world["mail"].pk)
    get("superuser", superuser, "admin:devices_device_import")
    post("superuser", superuser, "admin:devices_device_import")
    # Phone records (issue 13): a source with one imported call, and its import page.
    from ayuda.intake.phone.models import CallSource, SourceKind
    from ayuda.intake.phone.services import calls_import

    source = CallSource.objects.create(
        name="Centralita", kind=SourceKind.ASTERISK_QUEUE_LOG, timezone="Europe/Madrid"
    )
    calls_import(
        source=source,
        data=b"1764576000|c1|soporte|NONE|ENTERQUEUE||600111222|1\n"
        b"1764576010|c1|soporte|Agent/1|CONNECT|10|c1.1|3\n"
        b"1764576130|c1|soporte|Agent/1|COMPLETECALLER|10|120|1\n",
        filename="queue_log",
    )
    get("superuser", superuser, "admin:intake_callsource_import", source.pk)
    post("superuser", superuser, "admin:intake_callsource_import", source.pk)
    calendar_24x7()  # the calendars' admin pages need one
    post("superuser", superuser, "admin:sla_calendar_create_24x7")
    get("superuser", superuser, "admin:auth_user_password_change", superuser.pk)
    for model in _admin_models():
        meta = model._meta
        get("superuser", superuser, "admin:app_list", meta.app_label)
        prefix = f"admin:{meta.app_label}_{meta.model_name}"
        get("superuser", superuser, f"{prefix}_changelist")
        get("superuser", superuser, f"{prefix}_add")
        obj = model._default_manager.order_by("pk").first()
        assert obj is not None, f"the walk needs a {meta.model_name} for the admin's pages"
        for page in ("change", "history", "delete"):
            get("superuser", superuser, f"{prefix}_{page}", obj.pk)
    post("superuser", superuser, "admin:tickets_category_add")
    post("superuser", superuser, "admin:logout")
    return plan


def _kb_requests(get, post, desk, article, ticket) -> None:
    """The knowledge base's pages (workspace and portal) and their form targets."""
    agent, manager, requester = desk.agent_l1, desk.manager, desk.requester
    for name in ("agent:kb", "agent:kb_review", "agent:kb_new"):
        get("agent", agent, name)
    get("agent", agent, "agent:kb", query="?q=printer&status=published")
    get("agent", agent, "agent:search", query="?q=printer")
    get("agent", agent, "agent:kb_insert", query="?q=printer")
    get("agent", agent, "agent:kb_similar", ticket.pk)
    for name in ("agent:kb_article", "agent:kb_translate"):
        get("agent", agent, name, article.pk)
    get("manager", manager, "agent:kb_edit", article.pk)
    get("agent", agent, "agent:kb_version", article.pk, 1)
    post("agent", agent, "agent:kb_new", data={"title": ""})
    post("manager", manager, "agent:kb_step", article.pk, "return", data={"note": ""})
    post("agent", agent, "agent:kb_from_ticket", ticket.pk)
    get("requester", requester, "portal:kb", query="?q=printer")
    get("requester", requester, "portal:kb")
    get("requester", requester, "portal:kb_article", article.pk)
    get("requester", requester, "portal:kb_suggest", query="?subject=printer")
    get("requester", requester, "portal:kb_suggested", article.pk, query="?q=printer")
    post("requester", requester, "portal:kb_helped", article.pk, data={"q": "printer"})


def test_every_page_carries_the_policy_and_needs_nothing_it_refuses(client, world):
    # given
    plan = requests_to_make(world)
    visited: set[str] = set()
    failures: list[str] = []
    html_pages = 0

    # when
    for who, user, method, url, data in plan:
        if user is None:
            client.logout()
        else:
            client.force_login(user)
        response = getattr(client, method)(url, data)
        visited.add(resolve(url.split("?")[0]).view_name)
        if response.status_code >= 500:
            failures.append(f"{method.upper()} {url} as {who}: HTTP {response.status_code}")
        html_pages += is_html(response) and response.status_code == 200
        failures += [
            f"{method.upper()} {url} as {who}: {problem}" for problem in response_problems(response)
        ]

    # then
    assert not failures, "\n".join(failures)
    unknown = url_names() - visited - set(NOT_WALKED) - {"admin:None"}
    assert unknown == set(), f"add these pages to the walk: {sorted(unknown)}"
    assert html_pages > 60  # the walk really rendered pages, not only redirects
