"""Icons are Lucide's SVG, inlined from the installed npm package (web/icons.py)."""

import pytest
from django.template import Context, Template

from ayuda.web.icons import IconMissingError, icon


def test_an_icon_is_inline_svg_hidden_from_screen_readers():
    html = icon("paperclip")
    assert html.startswith('<svg class="icon icon-paperclip"')
    assert 'aria-hidden="true"' in html and 'focusable="false"' in html
    assert "<path" in html and "<!--" not in html and "style=" not in html


def test_a_label_is_there_for_screen_readers_and_escaped():
    html = icon("log-out", label="Salir <ya>")
    assert html.endswith('<span class="visually-hidden">Salir &lt;ya&gt;</span>')


def test_the_template_tag_prints_the_same():
    template = Template('{% load icons %}{% icon "x" label="Delete" %}')
    assert template.render(Context()) == icon("x", label="Delete")


@pytest.mark.parametrize("name", ["no-such-icon", "../../package", "X"])
def test_an_unknown_or_odd_name_fails_loudly(name):
    with pytest.raises(IconMissingError):
        icon(name)
