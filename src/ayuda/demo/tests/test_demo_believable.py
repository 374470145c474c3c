"""The loaded demo reads like a real desk's past: tickets raised and moved over weeks, each
telling one coherent story in its requester's language, through the front line first, with an
intact history."""

from datetime import timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from ayuda.accounts.models import Role
from ayuda.demo.data.plan import PHRASES, STORIES, VENDOR_NOTE
from ayuda.tickets.models import Category, EventAction, StateCategory, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.DEBUG = True
    before = timezone.now()
    call_command("load_demo", stdout=StringIO())
    return before, timezone.now()


def test_tickets_were_raised_and_updated_over_the_past_weeks(demo):
    started, finished = demo
    tickets = list(Ticket.objects.all())

    updated = [t.updated_at for t in tickets]
    # not the load's time: hardly any ticket was touched in the last quarter hour
    assert sum(at > started - timedelta(minutes=15) for at in updated) == 0
    assert max(updated) - min(updated) > timedelta(days=30)
    assert len({at.date() for at in updated}) > 30
    assert all(at < finished for at in updated)
    for ticket in tickets:
        times = list(ticket.events.order_by("seq").values_list("at", flat=True))
        assert times == sorted(times), ticket.pk
        assert times[0] == ticket.created_at and times[-1] == ticket.updated_at, ticket.pk
        for article_at in ticket.articles.values_list("created_at", flat=True):
            assert ticket.created_at <= article_at <= ticket.updated_at, ticket.pk
        if ticket.resolved_at:
            assert ticket.created_at < ticket.resolved_at <= ticket.updated_at, ticket.pk
        if ticket.state_category == StateCategory.CLOSED:
            assert ticket.closed_at - ticket.resolved_at > timedelta(hours=12), ticket.pk


def test_agents_work_in_desk_hours(demo):
    # the help desk (in Madrid and Rome, one time zone) works from 08:00 to 20:00
    madrid = ZoneInfo("Europe/Madrid")
    agent_times = TicketEvent.objects.filter(
        actor__role__in=[Role.AGENT_L1, Role.AGENT_L2]
    ).values_list("at", flat=True)
    hours = [at.astimezone(madrid).hour for at in agent_times]
    in_hours = sum(8 <= hour < 20 for hour in hours)
    assert in_hours >= 0.97 * len(hours), sorted(hours)


def test_verify_history_passes_on_the_demo(demo):
    out = StringIO()
    call_command("verify_history", stdout=out)
    assert f"Checked {Ticket.objects.count()} ticket(s)" in out.getvalue()
    assert " 0 broken chain(s)" in out.getvalue()


def test_the_front_line_receives_every_demo_ticket_first(demo):
    assert not Category.objects.filter(routes_to_level_2=True).exists()
    for ticket in Ticket.objects.filter(level="2"):
        assert ticket.events.filter(action=EventAction.ESCALATED, data__to_level="2").exists()
    for ticket in Ticket.objects.all():
        assert ticket.events.get(seq=1).data.get("channel") == ticket.channel
        first_level = ticket.events.filter(field="level").order_by("seq").first()
        assert first_level is None or first_level.old_value == "1", ticket.pk


def test_every_ticket_tells_one_story_in_its_requesters_language(demo):
    for ticket in Ticket.objects.select_related("requester", "site", "category"):
        lang = ticket.requester.language
        code = ticket.site.code if ticket.site else ""
        stories = [s for s in STORIES[lang] if s.subject.replace("{site}", code) == ticket.subject]
        assert len(stories) == 1, (ticket.pk, ticket.subject, lang)
        story = stories[0]
        assert ticket.category.name == story.category
        texts = {
            getattr(story, name).replace("{site}", code)
            for name in (
                "description",
                "question",
                "answer",
                "solution",
                "l2_note",
                "hand_back",
                "vendor_answer",
            )
        }
        texts |= set(PHRASES[lang].values()) | {VENDOR_NOTE}
        for body in ticket.articles.values_list("body", flat=True):
            assert body in texts, (ticket.pk, body)
        if ticket.solution:
            assert ticket.solution == story.solution.replace("{site}", code)
