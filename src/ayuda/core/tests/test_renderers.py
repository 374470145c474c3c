"""The Python form renderer prints what Django's widget templates print."""

import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from ayuda.core.renderers import FastRenderer


def _squeeze(html: str) -> str:
    """Whitespace between tags and at the ends does not change the page."""
    return re.sub(r">\s+<", "><", str(html)).strip()


class Everything(forms.Form):
    text = forms.CharField(max_length=20, help_text="Help", initial='a "quoted" <b>value</b>')
    hidden = forms.CharField(widget=forms.HiddenInput, initial=7)
    number = forms.IntegerField(min_value=1)
    email = forms.EmailField(required=False)
    url = forms.URLField(assume_scheme="https")
    password = forms.CharField(widget=forms.PasswordInput)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    flag = forms.BooleanField(required=False, initial=True)
    off = forms.BooleanField(required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), initial='x < y & "z"')
    empty_note = forms.CharField(widget=forms.Textarea, required=False)
    upload = forms.FileField(required=False)
    files = forms.FileField(widget=forms.ClearableFileInput, required=False)
    choice = forms.ChoiceField(choices=[("a", "A"), ("b", "B <b>")], initial="b")
    radio = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)


@pytest.mark.parametrize("bound", [False, True])
@pytest.mark.parametrize("name", list(Everything.base_fields))
def test_each_widget_renders_as_with_the_templates(name, bound):
    # given
    data = {"text": "<i>typed</i>", "number": "0", "note": "multi\nline <script>", "flag": "on"}
    template_form = Everything(data if bound else None, renderer=DjangoTemplates())
    fast_form = Everything(data if bound else None, renderer=FastRenderer())

    # when
    expected = str(template_form[name])
    got = str(fast_form[name])

    # then
    assert _squeeze(got) == _squeeze(expected)


def test_values_and_attributes_are_escaped():
    # when
    html = str(Everything(renderer=FastRenderer())["text"])

    # then
    assert 'value="a &quot;quoted&quot; &lt;b&gt;value&lt;/b&gt;"' in html
    assert "<b>" not in html
