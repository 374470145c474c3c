import pytest
from django.utils import html as django_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from ayuda.core.html import format_html

VALUES = [
    "plain",
    "<script>alert('x')</script>",
    'a "quoted" & <b>bold</b>',
    42,
    None,
    mark_safe("<br>kept"),
    gettext_lazy("State"),
    "",
]


@pytest.mark.parametrize("value", VALUES)
def test_escapes_exactly_like_djangos_format_html(value):
    # when
    ours = format_html('<td title="{a}">{a}</td>{0}', value, a=value)
    django = django_html.format_html('<td title="{a}">{a}</td>{0}', value, a=value)

    # then
    assert ours == django
    assert isinstance(ours, SafeString)


def test_nothing_a_user_wrote_reaches_the_page_as_markup():
    html = format_html("<td>{}</td>", '"><img src=x onerror=alert(1)>')
    assert html == "<td>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</td>"
