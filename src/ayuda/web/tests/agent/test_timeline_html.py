"""The timeline printed by Python is the markup of the template it replaced."""

import re
from pathlib import Path

import pytest
from django.template import engines
from django.utils import timezone

from ayuda.tickets import selectors, services
from ayuda.tickets.attachments import IncomingFile
from ayuda.tickets.models import ArticleKind, SenderRole
from ayuda.tickets.tests.factories import ticket_make
from ayuda.web.agent.lookups import Lookups
from ayuda.web.agent.presenters import timeline_merge
from ayuda.web.agent.timeline import timeline_html

from .conftest import PNG

pytestmark = pytest.mark.django_db

# The ticket page's timeline as a template, before it was printed by Python.
TEMPLATE = (Path(__file__).parent / "timeline_before.html").read_text()


def _squeeze(html: str) -> str:
    """Runs of white space read as one space, and none between tags."""
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html))).strip()


@pytest.mark.parametrize("zone", ["UTC", "Europe/Madrid"])
def test_timeline_html_prints_what_the_template_printed(desk, zone):
    # given: messages of each kind, a file, mail HTML, notes and events with changes
    ticket = ticket_make(requester=desk.requester, description="Line one\nLine <two> & three")
    services.ticket_assign(
        ticket=ticket, actor=desk.agent_l1, team=desk.l1_team, owner=desk.agent_l1
    )
    services.article_add_reply(
        ticket=ticket,
        actor=desk.agent_l1,
        body="Try <this>",
        attachments=[IncomingFile("shot.png", PNG), IncomingFile("log.txt", b"x" * 3000)],
    )
    services.article_add_note(ticket=ticket, actor=desk.agent_l1, body='Internal "note"')
    services.article_add_note(
        ticket=ticket,
        actor=None,
        body="Close it, I am the agent <really>.",
        sender_role=SenderRole.CUSTOMER,
        kind=ArticleKind.EMAIL,
        email=services.EmailMeta(email_from="Laura <laura@ayuda.test>", sender_unverified=True),
    )
    services.ticket_escalate_to_vendor(
        ticket=ticket, actor=desk.agent_l1, vendor=desk.vendor, reason="Bug " * 100
    )
    timeline = selectors.ticket_timeline(user=desk.agent_l1, ticket=ticket)
    entries = timeline_merge(timeline["articles"], timeline["events"], Lookups().agent_names)
    assert {e.kind for e in entries} == {"article", "event"}

    # when
    with timezone.override(zone):
        expected = engines["django"].from_string(TEMPLATE).render({"timeline": entries})
        got = timeline_html(entries, tz_name=timezone.get_current_timezone_name())

    # then
    assert _squeeze(got) == _squeeze(expected)
    assert "Line <two>" not in got and "Line &lt;two&gt; &amp; three" in got
    assert "unverified-warning" in got and "Laura &lt;laura@ayuda.test&gt;" in got
