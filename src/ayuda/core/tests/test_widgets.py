import re

from django import forms

from ayuda.core.widgets import FastSelect

CHOICES = [
    ("", "Any"),
    ("me", "Me"),
    ("Agents", [("1", "Ana <b>"), ("2", "Luca & co")]),
]
OPTION = re.compile(r'<option value="([^"]*)"( selected)?>([^<]*)</option>')


def _options(html: str) -> list[tuple[str, bool, str]]:
    return [(v, bool(s), label) for v, s, label in OPTION.findall(html)]


def test_fast_select_renders_the_same_options_as_djangos_select():
    # given
    attrs = {"id": "id_owner"}

    # when
    fast = FastSelect(choices=CHOICES).render("owner", "2", attrs)
    slow = forms.Select(choices=CHOICES).render("owner", "2", attrs)

    # then
    assert _options(fast) == _options(slow)
    assert ("2", True, "Luca &amp; co") in _options(fast)
    assert '<optgroup label="Agents">' in fast
    assert fast.startswith('<select name="owner" id="id_owner">')


def test_fast_select_escapes_labels_and_values():
    # when
    html = FastSelect(choices=[('"><script>', "<script>alert(1)</script>")]).render("x", None)

    # then
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
