"""Logging a phone call or a walk-in for a customer (R3), optionally resolved on the spot."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ayuda.accounts.models import CUSTOMER_ROLES, User
from ayuda.core.errors import AyudaError, PermissionDeniedError
from ayuda.tickets import services
from ayuda.web.walkers import walk_attach, walk_prefill_for

from ..forms import ContactForm
from ..lookups import Lookups, customers_search
from ._access import helpdesk_required, render_page_or_fragment
from .trees import walk_contact_initial


def customer_chosen(pk: str) -> list[User]:
    """The customer a submitted form names, if it is one."""
    if not pk.isdigit():
        return []
    return list(
        User.objects.filter(pk=int(pk), role__in=CUSTOMER_ROLES, is_active=True).select_related(
            "organisation"
        )
    )


@helpdesk_required
@require_http_methods(["GET", "POST"])
def contact_new(request):
    lookups = Lookups()
    who = request.GET.get("who", "").strip()[:100]
    walk = walk_prefill_for(request, in_portal=False)  # a decision tree walked on the phone
    if request.method == "POST":
        customers = customer_chosen(request.POST.get("requester", ""))
        form = ContactForm(request.POST, customers=customers, lookups=lookups)
        if form.is_valid():
            data = form.cleaned_data
            try:
                ticket = services.contact_log(
                    actor=request.user,
                    requester=data["requester"],
                    channel=data["channel"],
                    subject=data["subject"],
                    description=data["description"],
                    type=data["type"],
                    category=data["category"],
                    priority=data["priority"],
                    site=data["site"],
                    resolve_now=data["resolve_now"],
                    solution=data["solution"],
                )
            except PermissionDeniedError as err:
                raise PermissionDenied(err.message) from err
            except AyudaError as err:
                field = getattr(err, "field", None)
                form.add_error(field if field in form.fields else None, err.message)
            else:
                walk_attach(request, walk, ticket)
                if data["resolve_now"]:
                    done = _("Contact logged and resolved as ticket #%(n)s.")
                else:
                    done = _("Contact logged as ticket #%(n)s.")
                messages.success(request, done % {"n": ticket.number})
                return redirect("agent:ticket", pk=ticket.pk)
        status = 422
    else:
        customers = customers_search(who)
        initial = {"requester": customers[0].pk} if who and len(customers) == 1 else {}
        initial |= walk_contact_initial(walk)
        form = ContactForm(customers=customers, lookups=lookups, initial=initial)
        status = 200
    context = {"form": form, "who": who, "nav": "contact", "walk": walk}
    return render_page_or_fragment(
        request, "agent/contact_new.html", "requester", context, status=status
    )
