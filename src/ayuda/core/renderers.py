"""The form renderer: the commonest widgets printed by Python, the rest by Django's templates.

Django renders every widget through its templates (``input.html`` and an included
``attrs.html`` for a text box): on the agent's ticket page, nine action forms with some twenty
fields spent more time there than the rest of the page. ``FastRenderer`` prints the plain
``<input>`` widgets and ``<textarea>`` from the same context, with the same markup (a test
compares the two, widget by widget), and leaves every other template to Django.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

WIDGETS = "django/forms/widgets/"
# Django's widget templates that are nothing but ``{% include ".../input.html" %}``.
INPUT_TEMPLATES = frozenset(
    WIDGETS + name
    for name in (
        "input.html",
        "checkbox.html",
        "color.html",
        "date.html",
        "datetime.html",
        "email.html",
        "file.html",
        "hidden.html",
        "number.html",
        "password.html",
        "search.html",
        "tel.html",
        "text.html",
        "time.html",
        "url.html",
    )
)
TEXTAREA_TEMPLATE = WIDGETS + "textarea.html"


def attrs_html(attrs: dict) -> str:
    """``attrs.html``: `` name="value"`` for each attribute, a bare name for True, none for
    False."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


def input_html(widget: dict) -> str:
    value = widget["value"]
    value_attr = "" if value is None else f' value="{conditional_escape(str(value))}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{value_attr}{attrs_html(widget["attrs"])}>'
    )


def textarea_html(widget: dict) -> str:
    value = widget["value"]
    text = conditional_escape(value) if value else ""
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{attrs_html(widget["attrs"])}>\n'
        f"{text}</textarea>"
    )


class FastRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name in INPUT_TEMPLATES:
            return mark_safe(input_html(context["widget"]))  # noqa: S308 (escaped above)
        if template_name == TEXTAREA_TEMPLATE:
            return mark_safe(textarea_html(context["widget"]))  # noqa: S308 (escaped above)
        return super().render(template_name, context, request)
