"""Form widgets."""

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe

from ayuda.core.html import format_html


class FastSelect(forms.Select):
    """A <select> rendered in Python.

    Django renders every <option> through its own template; a queue filter with a few hundred
    agents, sites and categories spent ~12 ms doing that on each page. Same markup, same
    context, no template per option.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        for group, options, _index in widget["optgroups"]:
            if group:
                parts.append(format_html('<optgroup label="{}">', group))
            parts.extend(
                format_html(
                    '<option value="{}"{}>{}</option>',
                    option["value"],
                    mark_safe(" selected") if option["selected"] else "",
                    option["label"],
                )
                for option in options
            )
            if group:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 (every part comes from format_html)
