"""What the API sends and receives about tickets, their messages and files."""

from datetime import datetime
from typing import Annotated

from ninja import Field, Path, Schema

MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]


class Ref(Schema):
    id: int
    name: str


class StateRef(Schema):
    id: int
    name: str
    category: str


class PersonRef(Schema):
    id: int
    name: str
    email: str | None = Field(None, description="Hidden from vendor agents unless shared.")


class TicketLine(Schema):
    """A ticket as the queue lists it."""

    id: int
    subject: str
    type: str
    channel: str
    state: StateRef
    priority: int
    level: str
    category: Ref | None
    team: Ref | None
    owner: PersonRef | None = Field(None, description="Not shown to vendor agents.")
    requester: PersonRef
    organisation: Ref | None
    site: Ref | None
    created_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    delay_reason: str = Field("", description="Why the ticket waits (R28); empty: none.")
    sla_due_at: datetime | None = Field(
        None, description="Our nearest due time; null when none or paused. Help desk only."
    )
    sla_breached_at: datetime | None = Field(
        None, description="When a target was first breached. Help desk only."
    )
    vendor_due_at: datetime | None = Field(
        None, description="The vendor clock's nearest due time (the help desk, the vendor)."
    )
    url: str


class Ticket(TicketLine):
    """One ticket; its ``version`` is the ``ETag`` to send as ``If-Match`` when changing it."""

    description: str
    vendor: Ref | None
    vendor_reference: str
    referral_team: Ref | None
    solution: str
    extra: dict
    environment: dict[str, str]
    first_response_due_at: datetime | None = None
    next_update_due_at: datetime | None = None
    resolution_due_at: datetime | None = None
    updated_at: datetime
    version: int
    actions: list[str] = Field(description="What the caller may do on this ticket now.")

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "id": 42,
                    "subject": "Printer on fire",
                    "type": "incident",
                    "channel": "api",
                    "state": {"id": 1, "name": "New", "category": "new"},
                    "priority": 2,
                    "level": "1",
                    "category": {"id": 3, "name": "Hardware"},
                    "team": {"id": 1, "name": "Service desk"},
                    "owner": None,
                    "requester": {"id": 7, "name": "Ana Ruiz", "email": "ana@example.com"},
                    "organisation": {"id": 2, "name": "Acme"},
                    "site": None,
                    "created_at": "2026-11-30T09:00:00Z",
                    "resolved_at": None,
                    "closed_at": None,
                    "url": "/api/v1/tickets/42",
                    "description": "It smells of smoke.",
                    "vendor": None,
                    "vendor_reference": "",
                    "referral_team": None,
                    "solution": "",
                    "extra": {},
                    "environment": {},
                    "updated_at": "2026-11-30T09:00:00Z",
                    "version": 1,
                    "actions": ["view", "reply", "note", "assign"],
                }
            ]
        }
    }


class TicketPage(Schema):
    items: list[TicketLine]
    next: str | None = Field(None, description="The next page's URL; null on the last page.")


class TicketCreate(Schema):
    subject: str = Field(min_length=1, max_length=255, examples=["Printer on fire"])
    description: str = Field(min_length=1, max_length=100_000, examples=["It smells of smoke."])
    type: str = Field("incident", examples=["incident"])
    category_id: Id | None = None
    site_id: Id | None = None
    requester_id: Id | None = Field(
        None, description="Help desk only: open the ticket on a requester's behalf."
    )
    team_id: Id | None = Field(None, description="Help desk only.")
    priority: int | None = Field(None, ge=1, le=4, description="Help desk only.")
    environment: dict[str, str] = Field(
        default_factory=dict,
        description="url, software_version, software_edition, steps_to_reproduce, browser, "
        "operating_system (software categories ask for the first four).",
    )
    extra: dict[str, str] = Field(
        default_factory=dict, description="Answers to the category's form fields, by name."
    )


class Attachment(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    url: str


class Article(Schema):
    id: int
    kind: str
    sender_role: str
    internal: bool
    author: PersonRef | None
    body: str
    created_at: datetime
    attachments: list[Attachment]


class ArticlePage(Schema):
    items: list[Article]


class ArticleCreate(Schema):
    body: str = Field(min_length=1, max_length=100_000, examples=["Which printer is it?"])
    internal: bool = Field(False, description="An internal note (help desk and vendor agents).")
    ask_customer: bool = Field(
        False, description="Help desk replies: wait for the customer's answer."
    )


class QualifyIn(Schema):
    category_id: Id | None = None
    type: str = Field(examples=["incident"])
    priority: int = Field(ge=1, le=4, examples=[3])


class AssignIn(Schema):
    team_id: Id | None = None
    owner_id: Id | None = None


class StateIn(Schema):
    state_id: Id


class EscalateIn(Schema):
    team_id: Id
    mode: str = Field(examples=["transfer"], description="transfer or referral")
    reason: str = Field(min_length=1, max_length=10_000)


class EscalateVendorIn(Schema):
    vendor_id: Id
    reason: str = Field(min_length=1, max_length=10_000)
    reference: str = Field("", max_length=100)


class VendorReferenceIn(Schema):
    reference: str = Field(max_length=100)


class DelayReasonIn(Schema):
    reason: str = Field(
        max_length=30,
        examples=["custom_development"],
        description="custom_development, misuse, terms_breach, wrong_information; "
        "empty clears it. The service-level clock is paused while one is set.",
    )


class HandBackIn(Schema):
    answer: str = Field(min_length=1, max_length=100_000)


class ForwardIn(Schema):
    team_id: Id
    reason: str = Field(min_length=1, max_length=10_000)


class ResolveIn(Schema):
    solution: str = Field(min_length=1, max_length=100_000)


class ReopenIn(Schema):
    reason: str = Field("", max_length=10_000)


class Empty(Schema):
    pass


class Event(Schema):
    id: int
    ticket_id: Id
    seq: int
    at: datetime
    action: str
    field: str
    old_value: str
    new_value: str
    actor: PersonRef | None
    data: dict


class EventPage(Schema):
    items: list[Event]
    next: str = Field(description="Where to continue: the same feed after the last event.")
