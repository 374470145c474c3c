"""The queue (R16): filters, keyset pages, saved views."""

from dataclasses import dataclass

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ayuda.accounts.models import Level, User
from ayuda.core.html import format_html
from ayuda.knowledge.problems_selectors import bulletins_of_request
from ayuda.knowledge.selectors import overdue_q
from ayuda.reports.queue import figure_filter
from ayuda.tickets import permissions, selectors
from ayuda.tickets.models import Channel, Priority, SavedView, Ticket

from ..forms import QueueFilterForm, SavedViewForm
from ..lookups import Lookups
from ..presenters import Age, person_name, ticket_age
from ..sla import DueBadge, due_badge
from ._access import agent_required, render_page_or_fragment, wants_fragment

# One queue line. A page of fifty lines is the hot path of the workspace: printed through
# the template language it cost ~1,100 template nodes (about a third of the page's server
# time); ``format_html`` escapes each value the same way in a fraction of that.
# Columns carry a class (``c-…``) so the stylesheet can show the most important ones first
# and the rest on wider screens; what a narrower screen hides as a column it shows in the
# subject cell's second line (``m-…``), and a phone gets each line as a card (ayuda.css).
ROW_HTML = (
    '<tr><td class="num c-num">{pick}<a href="{url}">{number}</a></td>'
    '<td class="age {age_css}" title="{created}">{age}</td>'
    '<td class="c-due">{due}</td>'
    '<td class="subject c-subject"><a href="{url}">{subject}</a>{overdue}'
    '<span class="row-meta"><span class="m-requester">{requester}</span>'
    '<span class="m-org">{organisation}{site_meta}</span>'
    '<span class="m-category">{category}</span><span class="m-level">{level}</span>'
    '<span class="m-channel">{channel}</span></span></td>'
    '<td class="who c-requester">{requester}</td>'
    '<td class="who c-org">{organisation}{site}</td>'
    '<td class="c-state"><span class="badge {state_category}">{state}</span></td>'
    '<td class="c-prio"><span class="prio-{priority_value}">{priority}</span></td>'
    '<td class="c-category">{category}</td><td class="c-level">{level}</td>'
    '<td class="c-team">{team}<br><span class="muted">{owner}</span></td>'
    '<td class="c-channel">{channel}</td></tr>'
)
SITE_HTML = '<br><span class="muted">{}</span>'
OVERDUE_HTML = ' <span class="badge overdue">{}</span>'
# With active bulletins, a box per line for the queue's "Link selected" (R21); the boxes
# belong to the form above the table (``form=``), so the table needs no form around it.
PICK_HTML = (
    '<input type="checkbox" class="pick" name="ticket" value="{}" form="bulletin-link-form" '
    'aria-label="{}"> '
)
DUE_HTML = '<span class="badge sla sla-{}" title="{}">{}</span>'
SITE_META_HTML = " · {}"


@dataclass
class QueueRow:
    """One queue line with every label worked out; ``html`` prints it."""

    ticket: Ticket
    url: str
    age: Age
    created: str
    requester: str
    organisation: str
    site: str
    state: str
    priority: str
    category: str
    level: str
    team: str
    owner: str
    channel: str
    due: DueBadge | None = None
    pick: str = ""  # the label of the line's "Link selected" box; empty: no box

    def html(self) -> SafeString:
        ticket = self.ticket
        due = self.due
        return format_html(
            ROW_HTML,
            pick=format_html(PICK_HTML, ticket.pk, self.pick) if self.pick else "",
            url=self.url,
            number=ticket.pk,
            age_css=self.age.css,
            created=self.created,
            age=self.age.text,
            due=format_html(DUE_HTML, due.css, due.title, due.text) if due else "",
            subject=ticket.subject,
            overdue=format_html(OVERDUE_HTML, _("Overdue action"))
            if getattr(ticket, "has_overdue_action", False)
            else "",
            requester=self.requester,
            organisation=self.organisation,
            site=format_html(SITE_HTML, self.site) if self.site else "",
            site_meta=format_html(SITE_META_HTML, self.site) if self.site else "",
            state_category=ticket.state_category,
            state=self.state,
            priority_value=ticket.priority,
            priority=self.priority,
            category=self.category,
            level=self.level,
            team=self.team,
            owner=self.owner,
            channel=self.channel,
        )


def queue_rows(
    tickets: list[Ticket], lookups: Lookups, user: User, *, pick: bool = False
) -> list[QueueRow]:
    """Labels come from the lookup lists the filter form loads anyway: no query per row.
    A vendor agent reads no owner (the help desk's agents) and a requester's address only
    where the organisation shares contact details."""
    now = timezone.now()
    zone = timezone.get_current_timezone()
    created = _("Created %(when)s (%(tz)s)") % {"when": "%(when)s", "tz": zone.key}
    url = reverse("agent:ticket", args=[0]).removesuffix("0/")
    owners = lookups.user_names({t.owner_id for t in tickets if t.owner_id})
    organisations = lookups.organisations_by_id

    def requester(ticket: Ticket) -> str:
        organisation = organisations.get(ticket.organisation_id)
        contact = permissions.contact_visible(user, organisation)
        return person_name(ticket.requester, contact=contact)

    def owner(ticket: Ticket) -> str:
        if lookups.is_vendor:
            return ""
        return owners.get(ticket.owner_id, "") if ticket.owner_id else _("unassigned")

    priorities, levels = dict(Priority.choices), dict(Level.choices)
    channels = dict(Channel.choices)
    pick_label = _("Select #%(n)s") if pick else ""
    return [
        QueueRow(
            ticket=t,
            url=f"{url}{t.pk}/",
            age=ticket_age(t, now),
            created=created % {"when": t.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")},
            requester=requester(t),
            organisation=lookups.organisation_names.get(t.organisation_id, ""),
            site=lookups.site_labels.get(t.site_id, ""),
            state=lookups.state_names.get(t.state_id, ""),
            priority=str(priorities.get(t.priority, t.priority)),
            category=lookups.category_labels.get(t.category_id, ""),
            level=str(levels.get(t.level, t.level)),
            team=lookups.team_names.get(t.team_id, "—"),
            owner=owner(t),
            channel=str(channels.get(t.channel, t.channel)),
            due=None if lookups.is_vendor else due_badge(t, now, zone),
            pick=pick_label % {"n": t.pk} if pick else "",
        )
        for t in tickets
    ]


def saved_views_for(user) -> list[SavedView]:
    return list(SavedView.objects.filter(user=user).order_by("name"))


@agent_required
@require_GET
def queue(request):
    lookups = Lookups(user=request.user)
    form = QueueFilterForm(request.GET, lookups=lookups)
    query = form.query()
    cursor = request.GET.get("cursor", "").strip()[:200] or None
    # Overdue assigned actions (R15): a marker on each line, an EXISTS on the partial index
    # action_open_ticket in the same query, and the "Overdue actions" filter.
    overdue = overdue_q()
    where = overdue if form.overdue_only() else None
    # A report figure's tickets (reports/queue.py): an unknown figure name narrows nothing.
    figure = figure_filter(form.figure_name()) if form.figure_name() else None
    if figure:
        where = figure.where if where is None else where & figure.where
    page = selectors.ticket_queue(
        user=request.user,
        filters=form.filters(),
        cursor=cursor,
        related=False,
        where=where,
        annotations=None if request.user.is_vendor_agent else {"has_overdue_action": overdue},
    )
    base = reverse("agent:queue")
    next_url = None
    if page.next_cursor:
        next_url = f"{base}?{urlencode({**form.values(), 'cursor': page.next_cursor})}"
    # Active bulletins (cached: no query once cached): "Link selected" to one of them.
    bulletins = bulletins_of_request(request) if request.user.is_helpdesk else []
    context = {
        "form": form,
        "rows": queue_rows(page.tickets, lookups, request.user, pick=bool(bulletins)),
        "bulletins": bulletins,
        "earlier": page.filters.earlier,
        "query": query,
        "first_url": f"{base}?{query}" if query else base,
        "next_url": next_url,
        "is_first_page": cursor is None,
        "saved_views": saved_views_for(request.user),
        "save_form": SavedViewForm(initial={"query": query}),
        "nav": {"owner=me": "mine", "earlier=1": "earlier"}.get(query, "queue"),
        "due_order": page.filters.order == "due",
        "figure_label": figure.label if figure else "",
        "figure_clear_url": (
            f"{base}?{urlencode({k: v for k, v in form.values().items() if k != 'figure'})}"
        ),
    }
    response = render_page_or_fragment(request, "agent/queue.html", "results", context)
    if wants_fragment(request):
        # The GET form sends every field, empty ones too; the address bar gets the short form.
        params = {**form.values(), **({"cursor": cursor} if cursor else {})}
        response["HX-Push-Url"] = f"{base}?{urlencode(params)}" if params else base
    return response


@agent_required
@require_POST
def saved_view_save(request):
    """Save the current filters under a name; the same name again replaces them."""
    form = SavedViewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the view a name of at most 100 characters."))
        return redirect("agent:queue")
    # Keep only the filters the queue knows, in their canonical form.
    filters = QueueFilterForm(
        QueryDict(form.cleaned_data["query"]), lookups=Lookups(user=request.user)
    )
    query = filters.query()
    name = form.cleaned_data["name"].strip()
    try:
        with transaction.atomic():
            SavedView.objects.update_or_create(
                user=request.user, name=name, defaults={"query": query}
            )
    except IntegrityError:
        messages.error(request, _("That view could not be saved; try again."))
    else:
        messages.success(request, _("View “%(name)s” saved.") % {"name": name})
    url = reverse("agent:queue")
    return redirect(f"{url}?{query}" if query else url)


@agent_required
@require_POST
def saved_view_delete(request, pk: int):
    view = get_object_or_404(SavedView, pk=pk, user=request.user)
    view.delete()
    messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return redirect("agent:queue")
