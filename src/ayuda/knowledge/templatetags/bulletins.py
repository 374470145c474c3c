"""The bulletin banners: ``{% agent_bulletins as bulletins %}`` on every workspace page and
``{% portal_bulletins category as bulletins %}`` in the portal. Both read the cached list of
active bulletins (``problems_selectors.bulletins_active``): no query once it is cached."""

from django import template

from ..problems_selectors import bulletins_for_requester, bulletins_of_request

register = template.Library()


@register.simple_tag(takes_context=True)
def agent_bulletins(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_helpdesk:
        return []
    return bulletins_of_request(request)


@register.simple_tag(takes_context=True)
def portal_bulletins(context, category=None):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    return bulletins_for_requester(user, category_id=getattr(category, "pk", category))
