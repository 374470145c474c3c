"""The actions an agent takes on a ticket: each is a form and exactly one service call.

``shown`` only decides whether a form is worth offering for the ticket's current state; the
service alone decides whether the action is allowed and says why not.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ayuda.accounts.models import Level, User
from ayuda.tickets import services
from ayuda.tickets.models import StateCategory, Ticket
from ayuda.tickets.permissions import Action

from .. import forms as f


def _active(ticket: Ticket) -> bool:
    return ticket.is_active


def _not_closed(ticket: Ticket) -> bool:
    return ticket.state_category != StateCategory.CLOSED


def _resolved(ticket: Ticket) -> bool:
    return ticket.state_category == StateCategory.RESOLVED


@dataclass(frozen=True)
class TicketAction:
    slug: str
    title: Promise
    button: Promise
    done: Promise
    permission: Action
    form_class: type[f.TicketActionForm]
    perform: Callable[[f.TicketActionForm, Ticket, User], object]
    shown: Callable[[Ticket], bool] = _not_closed
    primary: bool = False


def _reply(form, ticket, actor):
    data = form.cleaned_data
    return services.article_add_reply(
        ticket=ticket,
        actor=actor,
        body=data["body"],
        attachments=form.incoming_files(),
        ask_customer=data["ask_customer"],
        expected_version=data["version"],
    )


def _note(form, ticket, actor):
    return services.article_add_note(
        ticket=ticket,
        actor=actor,
        body=form.cleaned_data["body"],
        attachments=form.incoming_files(),
        expected_version=form.cleaned_data["version"],
    )


def _assign(form, ticket, actor):
    data = form.cleaned_data
    return services.ticket_assign(
        ticket=ticket,
        actor=actor,
        team=data["team"],
        owner=data["owner"],
        expected_version=data["version"],
    )


def _qualify(form, ticket, actor):
    data = form.cleaned_data
    return services.ticket_qualify(
        ticket=ticket,
        actor=actor,
        category=data["category"],
        type=data["type"],
        priority=data["priority"],
        expected_version=data["version"],
    )


def _change_state(form, ticket, actor):
    return services.ticket_change_state(
        ticket=ticket,
        actor=actor,
        state=form.cleaned_data["state"],
        expected_version=form.cleaned_data["version"],
    )


def _escalate(form, ticket, actor):
    data = form.cleaned_data
    return services.ticket_escalate(
        ticket=ticket,
        actor=actor,
        team=data["team"],
        mode=data["mode"],
        reason=data["reason"],
        expected_version=data["version"],
    )


def _escalate_vendor(form, ticket, actor):
    data = form.cleaned_data
    return services.ticket_escalate_to_vendor(
        ticket=ticket,
        actor=actor,
        vendor=data["vendor"],
        reason=data["reason"],
        reference=data["reference"],
        expected_version=data["version"],
    )


def _vendor_reference(form, ticket, actor):
    return services.ticket_set_vendor_reference(
        ticket=ticket,
        actor=actor,
        reference=form.cleaned_data["reference"],
        expected_version=form.cleaned_data["version"],
    )


def _delay_reason(form, ticket, actor):
    return services.ticket_set_delay_reason(
        ticket=ticket,
        actor=actor,
        reason=form.cleaned_data["reason"],
        expected_version=form.cleaned_data["version"],
    )


def _hand_back(form, ticket, actor):
    return services.ticket_hand_back(
        ticket=ticket,
        actor=actor,
        answer=form.cleaned_data["answer"],
        expected_version=form.cleaned_data["version"],
    )


def _forward(form, ticket, actor):
    data = form.cleaned_data
    return services.ticket_forward(
        ticket=ticket,
        actor=actor,
        team=data["team"],
        reason=data["reason"],
        expected_version=data["version"],
    )


def _resolve(form, ticket, actor):
    return services.ticket_resolve(
        ticket=ticket,
        actor=actor,
        solution=form.cleaned_data["solution"],
        expected_version=form.cleaned_data["version"],
    )


def _close(form, ticket, actor):
    return services.ticket_close(
        ticket=ticket, actor=actor, expected_version=form.cleaned_data["version"]
    )


def _reopen(form, ticket, actor):
    return services.ticket_reopen(
        ticket=ticket,
        actor=actor,
        reason=form.cleaned_data["reason"],
        expected_version=form.cleaned_data["version"],
    )


ACTIONS: dict[str, TicketAction] = {
    a.slug: a
    for a in (
        TicketAction(
            "reply",
            _("Reply"),
            _("Send reply"),
            _("Your reply was sent."),
            Action.REPLY,
            f.ReplyForm,
            _reply,
            primary=True,
        ),
        TicketAction(
            "note",
            _("Internal note"),
            _("Add note"),
            _("Your note was added."),
            Action.NOTE,
            f.NoteForm,
            _note,
            shown=lambda t: True,
        ),
        TicketAction(
            "assign",
            _("Assign"),
            _("Assign"),
            _("The ticket was assigned."),
            Action.ASSIGN,
            f.AssignForm,
            _assign,
        ),
        TicketAction(
            "qualify",
            _("Category, type and priority"),
            _("Save"),
            _("Category, type and priority were saved."),
            Action.QUALIFY,
            f.QualifyForm,
            _qualify,
        ),
        TicketAction(
            "state",
            _("Change state"),
            _("Change state"),
            _("The state was changed."),
            Action.CHANGE_STATE,
            f.StateForm,
            _change_state,
            shown=_active,
        ),
        TicketAction(
            "escalate",
            _("Escalate to level 2"),
            _("Escalate"),
            _("The ticket was escalated to level 2."),
            Action.ESCALATE,
            f.EscalateForm,
            _escalate,
            shown=lambda t: t.is_active and t.level == Level.L1,
        ),
        TicketAction(
            "escalate-vendor",
            _("Escalate to a vendor"),
            _("Escalate to vendor"),
            _("The ticket was escalated to the vendor."),
            Action.ESCALATE,
            f.VendorEscalateForm,
            _escalate_vendor,
            shown=lambda t: t.is_active and t.level != Level.VENDOR,
        ),
        TicketAction(
            "vendor-reference",
            _("Vendor reference"),
            _("Save reference"),
            _("The vendor reference was saved."),
            Action.NOTE,  # the service asks help desk staff for ESCALATE, vendor agents NOTE
            f.VendorReferenceForm,
            _vendor_reference,
            shown=lambda t: t.vendor_id is not None and _not_closed(t),
        ),
        TicketAction(
            "delay-reason",
            _("Delay reason"),
            _("Save delay reason"),
            _("The delay reason was saved."),
            Action.QUALIFY,  # the help desk's; the service checks it again
            f.DelayReasonForm,
            _delay_reason,
            # Set on an active ticket; a resolved one may still have it cleared.
            shown=lambda t: t.is_active or (bool(t.delay_reason) and _not_closed(t)),
        ),
        TicketAction(
            "hand-back",
            _("Hand back with an answer"),
            _("Hand back"),
            _("The ticket was handed back."),
            Action.HAND_BACK,
            f.HandBackForm,
            _hand_back,
            # Who may, and on which escalated ticket, is permissions.hand_back_refusal's: the
            # form is offered only when allowed_actions holds HAND_BACK.
            shown=lambda t: t.is_active and t.level in (Level.L2, Level.VENDOR),
        ),
        TicketAction(
            "forward",
            _("Forward to another team"),
            _("Forward"),
            _("The ticket was forwarded."),
            Action.FORWARD,
            f.ForwardForm,
            _forward,
            shown=_active,
        ),
        TicketAction(
            "resolve",
            _("Resolve"),
            _("Resolve"),
            _("The ticket was resolved."),
            Action.RESOLVE,
            f.ResolveForm,
            _resolve,
            shown=_active,
        ),
        TicketAction(
            "close",
            _("Close"),
            _("Close the ticket"),
            _("The ticket was closed."),
            Action.CLOSE,
            f.CloseForm,
            _close,
            shown=_resolved,
        ),
        TicketAction(
            "reopen",
            _("Reopen"),
            _("Reopen"),
            _("The ticket was reopened."),
            Action.REOPEN,
            f.ReopenForm,
            _reopen,
            shown=_resolved,
        ),
    )
}
