"""The portal's devices pages for site admins (R32, R34): their sites' devices and health,
a device's page; nothing of other sites (``devices_for``), a 404 for anything else."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from ayuda.accounts.models import Role
from ayuda.devices import selectors
from ayuda.web.devices import DeviceFilterForm

from .forms import sites_for
from .views import customer_required


def site_admin_required(view):
    @customer_required
    def wrapper(request, *args, **kwargs):
        if request.user.role != Role.SITE_ADMIN:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _urls() -> dict:
    return {
        "base_template": "portal/base.html",
        "list_url": reverse("portal:devices"),
        "detail_url": reverse("portal:devices"),
        "ticket_url": reverse("portal:ticket", args=[0]).removesuffix("0/"),
        "show_organisation": False,
    }


@require_GET
@site_admin_required
def device_list(request):
    """The devices of the sites the site admin looks after, with their health."""
    form = DeviceFilterForm(request.GET, sites=sites_for(request.user))
    page = selectors.device_health_list(
        user=request.user,
        filters=form.filters(),
        cursor=request.GET.get("after", "").strip()[:300] or None,
    )
    context = {"form": form, "page": page, "refusals": form.refusals(), **_urls()}
    return render(request, "web/device_list.html", context)


@require_GET
@site_admin_required
def device_detail(request, pk: int):
    detail = selectors.device_detail(user=request.user, device_id=pk)
    context = {
        "detail": detail,
        "device": detail.device,
        "zone": selectors.site_zone(detail.device.site).key,
        "tickets_url": f"{reverse('portal:home')}?status=all&device={detail.device.serial}",
        **_urls(),
    }
    return render(request, "web/device.html", context)
