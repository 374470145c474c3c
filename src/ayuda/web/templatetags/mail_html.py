"""How an article that came by e-mail shows its HTML, in the workspace and in the portal."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from ayuda.intake.email.parsing import html_for_display

register = template.Library()


@register.simple_tag
def article_html(article, attachment_url: str) -> SafeString:
    """``attachment_url`` names the download view the reader may use ("agent:attachment" or
    "portal:attachment"). Reads the article's attachments as prefetched: no query."""
    images = {
        a.content_id: reverse(attachment_url, args=[a.pk])
        for a in article.attachments.all()
        if a.content_id and a.content_type.startswith("image/")
    }
    html, blocked = html_for_display(article.body_html, images)
    if blocked:
        note = format_html(
            '<p class="muted remote-images">{}</p>',
            _("Remote images in this mail were not loaded."),
        )
        return note + mark_safe(html)  # noqa: S308 (sanitised by html_for_display)
    return mark_safe(html)  # noqa: S308 (sanitised by html_for_display)
