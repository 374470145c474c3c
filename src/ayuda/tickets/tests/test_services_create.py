"""Creating tickets (ticket_create): the first message and event, required fields, the
software environment and category fields, sites and who may raise a ticket for whom."""

import pytest
from django.db import DatabaseError, connection

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import site_make, user_make
from ayuda.core.errors import PermissionDeniedError, ValidationError
from ayuda.tickets import services
from ayuda.tickets.models import (
    Article,
    Category,
    Channel,
    EventAction,
    SenderRole,
    StateCategory,
    Ticket,
    TicketEvent,
)
from ayuda.tickets.tests.factories import (
    desk_make,
    ticket_make,
)

pytestmark = pytest.mark.django_db

S = StateCategory


# --- create -------------------------------------------------------------------------------


def test_create_opens_a_new_ticket_with_its_first_message_and_a_created_event():
    # given
    desk = desk_make()

    # when
    ticket = services.ticket_create(
        requester=desk.requester,
        actor=desk.requester,
        subject="  Printer\non fire ",
        description="It smells of smoke.",
        channel=Channel.PORTAL,
        site=desk.site,
    )

    # then
    ticket.refresh_from_db()
    assert ticket.state_category == S.NEW
    assert ticket.subject == "Printer on fire"
    assert ticket.organisation == desk.organisation
    assert ticket.level == "1"
    article = ticket.articles.get()
    assert (article.sender_role, article.internal, article.body) == (
        SenderRole.CUSTOMER,
        False,
        "It smells of smoke.",
    )
    event = ticket.events.get()
    assert (event.seq, event.action, event.new_value, event.actor) == (
        1,
        EventAction.CREATED,
        "Printer on fire",
        desk.requester,
    )
    assert event.data["article_id"] == article.pk
    assert event.data["logged_by_agent"] is False


@pytest.mark.parametrize(
    ("subject", "description", "field"),
    [(" ", "text", "subject"), ("Subject", "  ", "description")],
)
def test_create_refuses_a_missing_subject_or_description(subject, description, field):
    # given
    desk = desk_make()

    # when
    with pytest.raises(ValidationError) as refused:
        services.ticket_create(
            requester=desk.requester,
            actor=desk.requester,
            subject=subject,
            description=description,
            channel=Channel.PORTAL,
        )

    # then
    assert refused.value.field == field
    assert not Ticket.objects.exists()


SOFTWARE_ENVIRONMENT = {
    "steps_to_reproduce": "Open the invoice, press print",
    "url": "https://erp.example/invoices/1",
    "software_version": "4.2.1",
    "software_edition": "Enterprise",
}


def test_portal_ticket_in_a_software_category_with_every_environment_field_is_created():
    # given
    desk = desk_make()
    software = Category.objects.create(name="ERP", is_software=True)

    # when
    ticket = services.ticket_create(
        requester=desk.requester,
        actor=desk.requester,
        subject="Invoice crash",
        description="The ERP crashes.",
        channel=Channel.PORTAL,
        category=software,
        environment=SOFTWARE_ENVIRONMENT,
    )

    # then
    ticket.refresh_from_db()
    assert ticket.software_version == "4.2.1"
    assert ticket.software_edition == "Enterprise"
    assert ticket.url == "https://erp.example/invoices/1"
    assert ticket.steps_to_reproduce == "Open the invoice, press print"


@pytest.mark.parametrize("missing", sorted(SOFTWARE_ENVIRONMENT))
def test_portal_ticket_in_a_software_category_needs_each_environment_field(missing):
    # given
    desk = desk_make()
    software = Category.objects.create(name="ERP", is_software=True)
    environment = SOFTWARE_ENVIRONMENT | {missing: "   "}

    # when
    with pytest.raises(ValidationError) as refused:
        services.ticket_create(
            requester=desk.requester,
            actor=desk.requester,
            subject="Invoice crash",
            description="The ERP crashes.",
            channel=Channel.PORTAL,
            category=software,
            environment=environment,
        )

    # then
    assert refused.value.field == missing
    assert not Ticket.objects.exists()
    assert not TicketEvent.objects.exists()


def test_create_refuses_a_missing_required_category_field():
    # given
    desk = desk_make()
    category = Category.objects.create(
        name="Printers", extra_fields=[{"name": "serial", "label": "Serial", "required": True}]
    )

    # when
    with pytest.raises(ValidationError) as refused:
        ticket_make(requester=desk.requester, category=category, extra={"serial": " "})

    # then
    assert refused.value.field == "serial"
    assert not Ticket.objects.exists()


def test_site_admin_raises_a_ticket_for_a_site_they_administer():
    # given
    desk = desk_make()

    # when
    ticket = ticket_make(requester=desk.site_admin, site=desk.site)

    # then
    assert ticket.site == desk.site


def test_site_admin_cannot_raise_a_ticket_for_a_site_not_theirs():
    # given
    desk = desk_make()
    sibling = site_make(organisation=desk.organisation)

    # when
    with pytest.raises(PermissionDeniedError):
        ticket_make(requester=desk.site_admin, site=sibling)

    # then
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("actor_role", [None, Role.REQUESTER, Role.AGENT_L1])
def test_site_of_another_organisation_is_refused(actor_role):
    # given
    desk = desk_make()
    actor = {None: None, Role.REQUESTER: desk.requester, Role.AGENT_L1: desk.agent_l1}[actor_role]

    # when
    with pytest.raises(ValidationError) as refused:
        services.ticket_create(
            requester=desk.requester,
            actor=actor,
            subject="Printer",
            description="Broken",
            channel=Channel.PORTAL,
            site=desk.other_site,
        )

    # then
    assert refused.value.field == "site"
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("actor_role", [Role.REQUESTER, Role.SITE_ADMIN, Role.VENDOR_AGENT])
def test_nobody_but_the_help_desk_raises_a_ticket_for_someone_else(actor_role):
    # given
    desk = desk_make()

    # when
    with pytest.raises(PermissionDeniedError):
        services.ticket_create(
            requester=desk.requester if actor_role != Role.REQUESTER else desk.site_admin,
            actor=desk.user(actor_role),
            subject="Printer",
            description="Broken",
            channel=Channel.PORTAL,
        )

    # then
    assert not Ticket.objects.exists()


def test_agent_raises_a_ticket_for_a_customer_and_the_event_says_so():
    # given
    desk = desk_make()

    # when
    ticket = ticket_make(requester=desk.requester, actor=desk.agent_l1, channel=Channel.PHONE)

    # then
    event = ticket.events.get()
    assert event.actor == desk.agent_l1
    assert event.data["logged_by_agent"] is True
    assert ticket.requester == desk.requester


def test_an_inactive_category_is_refused_at_creation():
    # given
    desk = desk_make()
    retired = Category.objects.create(name="Fax", is_active=False)

    # when
    with pytest.raises(ValidationError) as refused:
        ticket_make(requester=desk.requester, category=retired)

    # then
    assert refused.value.field == "category"
    assert not Article.objects.exists()


def test_a_user_from_another_role_cannot_be_requester_for_a_customer_actor():
    # given
    desk = desk_make()
    agent_requester = user_make(role=Role.AGENT_L1)

    # when
    with pytest.raises(PermissionDeniedError):
        ticket_make(requester=agent_requester, actor=desk.requester)

    # then
    assert not Ticket.objects.exists()


def test_long_environment_values_are_cut_to_their_column_length():
    # given: a channel that does not limit input (mail, API)
    desk = desk_make()
    long = "x" * 1000

    # when
    ticket = services.ticket_create(
        requester=desk.requester,
        subject="Crash",
        description="It crashes.",
        channel=Channel.EMAIL,
        environment={"software_version": long, "browser": long, "url": long},
    )

    # then
    ticket.refresh_from_db()
    assert len(ticket.software_version) == 100
    assert len(ticket.browser) == 200
    assert len(ticket.url) == 500


def test_ticket_create_is_one_transaction_a_failure_leaves_nothing_behind():
    # given: the database refuses the history event, the last write of a new ticket
    requester = user_make(role=Role.REQUESTER)

    def refuse_events(execute, sql, params, many, context):
        if 'INSERT INTO "tickets_ticketevent"' in sql:
            raise DatabaseError("refused by the test")
        return execute(sql, params, many, context)

    # when
    with connection.execute_wrapper(refuse_events), pytest.raises(DatabaseError):
        services.ticket_create(
            requester=requester,
            actor=requester,
            subject="Printer on fire",
            description="It smells of smoke.",
            channel=Channel.PORTAL,
        )

    # then: neither the ticket nor its first message was kept
    assert not Ticket.objects.exists()
    assert not Article.objects.exists()
