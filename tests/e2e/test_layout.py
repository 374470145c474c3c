"""Every main page fits the screen from a phone to a laptop (issue 8, "Phones and small
screens"): at 390, 768 and 1366 px wide, with the demo's data and people, nothing makes the page
scroll sideways, no box inside it scrolls sideways either (a table squeezed into a scrolling
box is not "fits"), and "Log out" is on screen. A full-page screenshot of each page at each
width is kept under test-results/screenshots/ (CI keeps test-results/) for a person to look at.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from e2e_helpers import PASSWORD, RESULTS_DIR, clean_slate, t
from playwright.sync_api import expect

from ayuda.accounts.models import User
from ayuda.demo.data.desk import DEMO_PASSWORD
from ayuda.devices.tests.health_factories import day_make, device_make, incident_make
from ayuda.tickets.models import Article, Ticket
from ayuda.tickets.tests.factories import desk_make

pytestmark = pytest.mark.django_db(transaction=True)  # the live server is another thread

SHOTS = RESULTS_DIR / "screenshots"
#: (name, width, height): a phone, a tablet upright, a common laptop.
VIEWPORTS = [("phone", 390, 844), ("tablet", 768, 1024), ("laptop", 1366, 768)]

#: What scrolls sideways: the page itself, and each box that scrolls (overflow auto/scroll)
#: but is wider inside than it shows. Form controls scroll their own text: not counted.
OVERFLOW = """() => {
  const root = document.documentElement;
  const found = [];
  if (root.scrollWidth > window.innerWidth) {
    found.push(`page ${root.scrollWidth}px wide in ${window.innerWidth}px`);
  }
  for (const el of document.body.querySelectorAll("*")) {
    if (el.matches("input, select, textarea, option")) continue;
    const style = getComputedStyle(el);
    if (!["auto", "scroll"].includes(style.overflowX)) continue;
    if (el.scrollWidth > el.clientWidth + 1) {
      const name = el.id ? `#${el.id}` : `${el.tagName.toLowerCase()}.${el.className}`;
      found.push(`${name} scrolls: ${el.scrollWidth}px in ${el.clientWidth}px`);
    }
  }
  // Whatever sticks out of the window on the right (clipped or not) is cut off for the reader.
  for (const el of document.body.querySelectorAll("a, button, label, h1, h2, th, td, dd, p")) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > window.innerWidth + 1 && el.checkVisibility()) {
      const text = el.textContent.trim().slice(0, 40);
      found.push(`${el.tagName.toLowerCase()} "${text}" ends at ${Math.round(box.right)}px`);
    }
  }
  return found;
}"""


@pytest.fixture
def demo(settings, tmp_path):
    clean_slate()
    settings.DATA_DIR = tmp_path
    call_command("load_demo", "--allow-production", stdout=StringIO())  # tests run DEBUG off


def _log_in(page, username: str) -> None:
    page.goto("/login/")
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator('form button[type="submit"]').first.click()


def _check(page, *, name: str, viewport: str, width: int, log_out: str | None) -> None:
    """The page as it is now fits ``width``; ``log_out`` (its label) is on screen."""
    page.wait_for_load_state("networkidle")
    # every action form of the workspace's ticket page open: they must fit too
    page.evaluate("document.querySelectorAll('.actions details').forEach(d => { d.open = true; })")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}-{viewport}-{width}.png", full_page=True)
    problems = page.evaluate(OVERFLOW)
    assert problems == [], f"{name} at {width}px: {problems[:8]}"
    if log_out is not None:
        button = page.get_by_role("button", name=log_out, exact=True)
        expect(button).to_be_visible()
        box = button.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (name, width, box)
        assert box["y"] >= 0, (name, width, box)


def _pages_fit(page, *, role: str, user: User, paths: dict[str, str]) -> None:
    _log_in(page, user.username)
    log_out = t(user.language, "Log out", strict=True)
    for viewport, width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        for name, path in paths.items():
            page.goto(path)
            _check(page, name=f"{role}-{name}", viewport=viewport, width=width, log_out=log_out)


def _devices_at(site, requester):
    """A few devices at ``site`` with long names, days and an incident with figures (the demo
    may have none yet): the device, its page and its incident's ticket. ``(device, ticket)``."""
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    device = device_make(
        site=site,
        serial="PC-2000-LONGSERIALNUMBER-000001",
        name="Entrada principal, puerta automática del centro comercial",
        location="Planta baja, junto a la escalera mecánica",
        last_heartbeat_at=now - timedelta(days=4),
        last_reading_at=now - timedelta(days=4),
    )
    device_make(site=site, last_heartbeat_at=now, last_reading_at=now)
    for back in range(14):
        day_make(
            device=device, day=(now - timedelta(days=back)).date(), count_in=1234, count_out=1200
        )
    incident = incident_make(
        device=device,
        requester=requester,
        opened_at=now - timedelta(days=1),
        figures={"days_silent": 4, "last_heartbeat": (now - timedelta(days=4)).isoformat()},
    )
    return device, incident.ticket


def test_log_in_page_fits_every_width(page):
    # given: nobody logged in
    clean_slate()
    for viewport, width, height in VIEWPORTS:
        # when: the log-in page opens at this width
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/login/")
        # then: it fits, the form's fields and button on screen
        _check(page, name="login", viewport=viewport, width=width, log_out=None)
        expect(page.get_by_role("button", name="Log in", exact=True)).to_be_in_viewport()


def test_portal_pages_fit_every_width_for_a_site_admin(demo, page):
    # given: the demo's shop manager (site admin, Spanish) and a ticket of her sites with a
    # conversation (the longest one she may read, to show the most)
    carmen = User.objects.get(username="carmen")
    ticket = max(
        Ticket.objects.filter(organisation=carmen.organisation, site__in=carmen.sites.all()),
        key=lambda t: Article.objects.filter(ticket=t, internal=False).count(),
    )
    device, incident_ticket = _devices_at(carmen.sites.first(), carmen)
    paths = {
        "portal-list": "/portal/",
        "portal-new-ticket": "/portal/tickets/new/",
        "portal-ticket": f"/portal/tickets/{ticket.pk}/",
        "portal-devices": "/portal/devices/",
        "portal-device": f"/portal/devices/{device.pk}/",
        "portal-incident-ticket": f"/portal/tickets/{incident_ticket.pk}/",
        "preferences": "/preferences/",
    }
    # when/then: each page fits at each width, "Cerrar sesión" on screen
    _pages_fit(page, role="site-admin", user=carmen, paths=paths)


def test_portal_new_ticket_form_with_a_category_fits(demo, page):
    # given: the shop manager on a phone, choosing the software category (its extra fields)
    carmen = User.objects.get(username="carmen")
    _log_in(page, carmen.username)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/portal/tickets/new/")
    select = page.locator("#id_category")
    options = select.locator("option").all_text_contents()
    software = next(o for o in options if "software" in o.lower())
    # when: she picks it (htmx brings the category's fields)
    select.select_option(label=software)
    expect(page.locator("#ticket-form")).to_be_visible()
    # then: the whole form still fits
    _check(
        page,
        name="site-admin-portal-new-ticket-software",
        viewport="phone",
        width=390,
        log_out=t(carmen.language, "Log out"),
    )


def test_workspace_pages_fit_every_width_for_a_level_1_agent(demo, page):
    # given: the demo's level 1 agent (Spanish) and the active ticket with the longest timeline
    # (its action forms are all shown open)
    lucia = User.objects.get(username="lucia")
    ticket = max(
        Ticket.objects.filter(level="1", state_category__in=["new", "open", "pending_customer"]),
        key=lambda t: Article.objects.filter(ticket=t).count(),
    )
    site = ticket.site or Ticket.objects.exclude(site=None).first().site
    device, incident_ticket = _devices_at(site, ticket.requester)
    from ayuda.notifications.inapp import notify

    for kind in ("assigned", "team_escalation", "customer_replied", "sla_breach"):
        notify(recipients=[lucia], kind=kind, ticket=ticket, data={"team": "Soporte", "n": 1})
    paths = {
        "queue": "/agent/",
        "notifications": "/agent/notifications/",
        "ticket": f"/agent/tickets/{ticket.pk}/",
        "devices": "/agent/devices/",
        "device": f"/agent/devices/{device.pk}/",
        "incident-ticket": f"/agent/tickets/{incident_ticket.pk}/",
        "history": f"/agent/tickets/{ticket.pk}/history/",
        "contact": "/agent/contacts/new/?who=a",
        "search": "/agent/search/?q=impresora",
        "preferences": "/preferences/",
    }
    # when/then
    _pages_fit(page, role="agent-l1", user=lucia, paths=paths)


def _sla_on(ticket, vendor=None):
    """Our clock (and a vendor's) with targets and a timeline on ``ticket``, and its due
    fields, as the sla app writes them; long names to test the widths."""
    from datetime import timedelta

    from django.utils import timezone

    from ayuda.sla.models import ClockState, Side, SlaEventKind, TargetKind
    from ayuda.sla.tests.factories_views import (
        clock_make,
        event_make,
        policy_make,
        target_make,
        ticket_due,
    )

    now = timezone.now()
    policy = policy_make(name="Oficina Madrid, horario comercial con festivos regionales")
    ours = clock_make(ticket, started_at=now - timedelta(hours=3), policy=policy)
    target_make(
        ours,
        TargetKind.FIRST_RESPONSE,
        due_at=now - timedelta(hours=2),
        breached_at=now - timedelta(hours=2),
        late_minutes=75,
    )
    target_make(ours, TargetKind.RESOLUTION, due_at=now + timedelta(hours=5))
    event_make(ours, SlaEventKind.STARTED, now - timedelta(hours=3))
    event_make(
        ours, SlaEventKind.PAUSED, now - timedelta(hours=2, minutes=50), data={"reason": "misuse"}
    )
    event_make(ours, SlaEventKind.RESUMED, now - timedelta(hours=2, minutes=40))
    event_make(
        ours,
        SlaEventKind.TARGET_CHANGED,
        now - timedelta(hours=2, minutes=30),
        target=TargetKind.RESOLUTION,
        data={"field": "priority", "old": 2, "new": 4},
    )
    if vendor is not None:
        theirs = clock_make(
            ticket,
            side=Side.VENDOR,
            vendor=vendor,
            started_at=now - timedelta(hours=1),
            state=ClockState.PAUSED,
            pause_reason="custom_development",
        )
        target_make(theirs, TargetKind.RESOLUTION, due_at=None)
    ticket_due(
        ticket,
        sla_policy=policy,
        sla_due_at=now + timedelta(hours=5),
        sla_breached_at=now - timedelta(hours=2),
    )


def test_service_level_pages_fit_every_width_for_a_manager(demo, page):
    # given: the demo's manager (Spanish, Madrid), a ticket with both clocks, and the queue
    # sorted by due time
    from ayuda.accounts.models import Vendor

    marta = User.objects.get(username="manager")
    ticket = Ticket.objects.filter(state_category__in=["new", "open"]).order_by("pk").first()
    _sla_on(ticket, vendor=Vendor.objects.first())
    paths = {
        "sla-compliance": "/agent/sla/",
        "queue-due": "/agent/?order=due",
        "queue-breached": "/agent/?breached=1",
        "ticket-sla": f"/agent/tickets/{ticket.pk}/",
        "reports": "/agent/reports/",
        "reports-calls": "/agent/reports/calls/",
        "reports-calls-list": "/agent/reports/calls/list/?outcome=missed",
        "reports-staffing": "/agent/reports/staffing/",
    }
    # when/then
    _pages_fit(page, role="manager", user=marta, paths=paths)


def test_queue_filters_fold_away_on_a_phone_and_stay_open_on_a_laptop(page, login_as):
    # given: a level 1 agent
    clean_slate()
    desk = desk_make()
    login_as(page, desk.agent_l1.username, PASSWORD)
    status = page.get_by_label(t("en", "Status"), exact=True)
    toggle = page.get_by_text(t("en", "Filters"), exact=True)
    # when: the queue opens on a phone
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/agent/")
    # then: the filters are folded behind their toggle, which opens them
    expect(status).to_be_hidden()
    toggle.click()
    expect(status).to_be_visible()
    # when: it opens on a laptop
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto("/agent/")
    # then: the filters are there at once, without a toggle
    expect(status).to_be_visible()
    expect(toggle).to_be_hidden()


def test_guide_and_action_pages_fit_every_width(demo, page):
    # given: an incident of the shop manager's site in a demo device category with a guide
    # (demo/guides.py), an action assigned to her, and the agent's page with the assign form
    from datetime import timedelta

    from django.utils import timezone

    from ayuda.knowledge.models import ActionKind
    from ayuda.knowledge.services import action_assign
    from ayuda.tickets import services
    from ayuda.tickets.models import Category

    carmen = User.objects.get(username="carmen")
    lucia = User.objects.get(username="lucia")
    category = Category.objects.get(name="Device offline")
    ticket = services.ticket_create(
        requester=carmen,
        actor=lucia,
        channel="phone",
        subject="El contador de la entrada principal no comunica desde hace cuatro días",
        description="Sin latido desde el lunes.",
        type="incident",
        category=category,
        site=carmen.sites.first(),
    )
    action_assign(
        ticket=ticket,
        actor=lucia,
        assignee=carmen,
        kind=ActionKind.TASK,
        instructions="Compruebe que el cable de red del contador está conectado y confírmelo.",
        due_at=timezone.now() + timedelta(days=2),
    )
    # when/then: the portal's ticket (with its questionnaire) and "My actions" fit...
    _pages_fit(
        page,
        role="site-admin",
        user=carmen,
        paths={"portal-guide": f"/portal/tickets/{ticket.pk}/", "my-actions": "/portal/actions/"},
    )
    page.context.clear_cookies()
    # ...and so does the agent's ticket page with the guide and the assign form
    _pages_fit(
        page,
        role="agent-l1",
        user=lucia,
        paths={
            "ticket-guide": f"/agent/tickets/{ticket.pk}/",
            "ticket-assign": f"/agent/tickets/{ticket.pk}/actions/new/",
        },
    )


def test_knowledge_pages_fit_every_width(demo, page):
    # given: the demo's articles (demo/articles.py), and a resolved ticket with a solution
    # whose article was drafted (the ticket page's article cards all shown)
    from ayuda.knowledge.articles import article_from_ticket
    from ayuda.knowledge.models import KbArticle

    carmen = User.objects.get(username="carmen")
    lucia = User.objects.get(username="lucia")
    public = KbArticle.objects.filter(status="published", visibility="public", language="es")
    article = public.order_by("pk").first()
    resolved = Ticket.objects.filter(state_category="resolved").exclude(solution="").first()
    drafted = article_from_ticket(ticket=resolved, actor=lucia)
    # when/then: the portal's list, search and article fit for the shop manager...
    _pages_fit(
        page,
        role="site-admin",
        user=carmen,
        paths={
            "portal-kb": "/portal/kb/",
            "portal-kb-search": "/portal/kb/?q=impresora",
            "portal-kb-article": f"/portal/kb/{article.pk}/?q=impresora",
        },
    )
    page.context.clear_cookies()
    # ...and the workspace's knowledge pages and the ticket page's cards for the agent
    _pages_fit(
        page,
        role="agent-l1",
        user=lucia,
        paths={
            "kb": "/agent/kb/",
            "kb-review": "/agent/kb/review/",
            "kb-article": f"/agent/kb/{article.pk}/",
            "kb-draft-edit": f"/agent/kb/{drafted.pk}/edit/",
            "ticket-resolved": f"/agent/tickets/{resolved.pk}/",
        },
    )
