"""The portal's "This is my problem" (R21): a requester affected by a known problem gets a
ticket linked to it in one click, or is shown the one they already have."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ayuda.core.errors import AyudaError, PermissionDeniedError
from ayuda.knowledge.problems import bulletin_affected as affected

from .views import customer_required


@require_POST
@customer_required
def bulletin_affected(request, pk: int):
    try:
        ticket, created = affected(bulletin_id=pk, user=request.user)
    except PermissionDeniedError:
        raise
    except AyudaError as err:
        messages.error(request, err.message)
        return redirect("portal:home")
    if created:
        messages.success(
            request,
            _("Ticket #%(number)s was created and linked to the known problem.")
            % {"number": ticket.number},
        )
    else:
        messages.info(
            request,
            _("You already have ticket #%(number)s for this problem; here it is.")
            % {"number": ticket.number},
        )
    return redirect("portal:ticket", pk=ticket.pk)
