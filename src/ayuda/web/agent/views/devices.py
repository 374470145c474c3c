"""The workspace's devices pages (R32, R34): every device's health, and a device's page."""

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from ayuda.devices import selectors
from ayuda.web.devices import DeviceFilterForm

from ..lookups import Lookups
from ._access import helpdesk_required


def _urls() -> dict:
    return {
        "base_template": "agent/base.html",
        "list_url": reverse("agent:devices"),
        "detail_url": reverse("agent:devices"),
        "ticket_url": reverse("agent:ticket", args=[0]).removesuffix("0/"),
        "show_organisation": True,
        "nav": "devices",
    }


# Past this many sites, the site filter offers the chosen organisation's sites only (10,000
# options made the page 180 ms slower; docs/performance.md, "Site admin's devices page").
SITE_OPTIONS_MAX = 300


def sites_offered(lookups: Lookups, data) -> list:
    """Every site when there are few; else the chosen organisation's, or the site asked for
    (a link's), so the filter stays small whatever the number of sites."""
    sites = lookups.sites
    if len(sites) <= SITE_OPTIONS_MAX:
        return sites
    organisation = str(data.get("organisation", "")).strip()
    if organisation.isdigit():
        return [s for s in sites if s.organisation_id == int(organisation)]
    site = str(data.get("site", "")).strip()
    return [s for s in sites if site.isdigit() and s.pk == int(site)]


@helpdesk_required
@require_GET
def device_list(request):
    """Every device with its health; filters by organisation, site, status, serial or name."""
    lookups = Lookups(user=request.user)
    form = DeviceFilterForm(
        request.GET,
        sites=sites_offered(lookups, request.GET),
        organisations=lookups.organisations,
        site_label=lambda s: f"{s.organisation.name} / {s.name}",
    )
    page = selectors.device_health_list(
        user=request.user,
        filters=form.filters(),
        cursor=request.GET.get("after", "").strip()[:300] or None,
    )
    context = {"form": form, "page": page, "refusals": form.refusals(), **_urls()}
    return render(request, "web/device_list.html", context)


@helpdesk_required
@require_GET
def device_detail(request, pk: int):
    detail = selectors.device_detail(user=request.user, device_id=pk)
    context = {
        "detail": detail,
        "device": detail.device,
        "zone": selectors.site_zone(detail.device.site).key,
        "tickets_url": f"{reverse('agent:queue')}?status=all&device={detail.device.serial}",
        **_urls(),
    }
    return render(request, "web/device.html", context)
