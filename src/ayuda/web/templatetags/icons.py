"""``{% icon "name" %}`` and ``{% icon "name" label=_("Text") %}``: see ayuda/web/icons.py."""

from django import template

from ayuda.web.icons import icon as icon_html

register = template.Library()


@register.simple_tag
def icon(name: str, label: str = ""):
    return icon_html(name, label=label)
