"""The agent's timeline printed by Python.

A busy ticket's timeline (ninety messages, a hundred events) cost the ticket page most of its
time in the template language: several nodes, filters and translations per entry. This prints
the same markup (``tests/agent/test_timeline_html.py`` compares it with the template it
replaced) with one ``format_html`` per part, every value escaped.
"""

from django.template.defaultfilters import filesizeformat, linebreaksbr, truncatechars
from django.urls import reverse
from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _

from ayuda.core.html import format_html
from ayuda.web.icons import icon
from ayuda.web.templatetags.mail_html import article_html

from .presenters import TimelineEntry


def _when(value, tz_name: str) -> SafeString:
    local = template_localtime(value)
    return format_html(
        '<time class="muted" datetime="{}" title="{}">{}</time>',
        formats.date_format(local, "c"),
        tz_name,
        formats.date_format(local, "DATETIME_FORMAT"),
    )


def _article(entry: TimelineEntry, tz_name: str) -> SafeString:
    a = entry.article
    visibility = (
        format_html('<span class="badge internal">{}</span>', _("Internal"))
        if a.internal
        else format_html('<span class="badge public">{}</span>', _("Public"))
    )
    warning = ""
    if a.sender_unverified:
        visibility = format_html(
            '{} <span class="badge unverified">{}</span>', visibility, _("Unverified sender")
        )
        warning = format_html(
            '<p class="unverified-warning" role="alert">{}</p>',
            # As the template's blocktranslate: the catalogue's text as it is, the address escaped.
            mark_safe(  # noqa: S308
                _(
                    "This mail claims to come from %(address)s, but our receiving mail server "
                    "did not confirm that sender. It may be forged: do not act on it as that "
                    "person's words."
                )
                % {"address": escape(a.email_from)}
            ),
        )
    if a.body_html:
        body = article_html(a, "agent:attachment")
    else:
        body = linebreaksbr(a.body, autoescape=True)
    files = list(a.attachments.all())
    file_list = ""
    if files:
        paperclip = icon("paperclip")
        file_list = format_html(
            '<ul class="files" aria-label="{}">{}</ul>',
            _("Attachments"),
            mark_safe(  # noqa: S308 (every item from format_html)
                "".join(
                    format_html(
                        '<li>{}<a href="{}">{}</a> <span class="muted">{}</span></li>',
                        paperclip,
                        reverse("agent:attachment", args=[f.pk]),
                        f.filename,
                        filesizeformat(f.size),
                    )
                    for f in files
                )
            ),
        )
    return format_html(
        '<li id="article-{}" class="article {} {}"><div class="meta"><strong>{}</strong> '
        '<span class="muted">{} · {}</span> {} {}</div>{}'
        '<div class="article-body">{}</div>{}</li>',
        a.pk,
        a.sender_role,
        "internal" if a.internal else "public",
        entry.who,
        a.get_sender_role_display(),
        a.get_kind_display(),
        visibility,
        _when(a.created_at, tz_name),
        warning,
        body,
        file_list,
    )


def _event(entry: TimelineEntry) -> SafeString:
    ev = entry.event
    local = template_localtime(ev.at)
    change = ""
    if ev.old or ev.new:
        old = ""
        if ev.old:
            old = format_html('<span class="old">{}</span> → ', truncatechars(ev.old, 120))
        change = format_html(
            ': {}<span class="new">{}</span>', old, truncatechars(ev.new or "—", 120)
        )
    detail = ""
    if ev.steps:  # a decision tree's walk: every answer, in full
        detail = format_html(
            ' <span class="detail">({})</span><ol class="walk-path">{}</ol>',
            ev.detail.split(" · ")[0],
            mark_safe(  # noqa: S308 (every item from format_html)
                "".join(format_html("<li>{} <strong>{}</strong></li>", q, a) for q, a in ev.steps)
            ),
        )
        if ev.event.data.get("result"):
            detail = format_html("{}<p>{}</p>", detail, ev.event.data["result"])
    elif ev.detail:
        detail = format_html(' <span class="detail">({})</span>', truncatechars(ev.detail, 300))
    return format_html(
        '<li class="event"><time datetime="{}">{}</time> · {}: <strong>{}</strong>{}{}{}</li>',
        formats.date_format(local, "c"),
        formats.date_format(local, "DATETIME_FORMAT"),
        entry.who,
        ev.action,
        f" {ev.field}" if ev.field else "",
        change,
        detail,
    )


def timeline_html(entries: list[TimelineEntry], *, tz_name: str) -> SafeString:
    """The ``<li>`` items of the ticket's timeline, oldest first."""
    return mark_safe(  # noqa: S308 (every item from format_html)
        "".join(_article(e, tz_name) if e.kind == "article" else _event(e) for e in entries)
    )
