"""Scan rules' message templates (R33): data an administrator writes, filled safely.

A template is plain text with named fields in braces, ``{device}`` or ``{days_silent}``; a
literal brace is doubled (``{{``). It is never code: ``string.Formatter`` only *parses* it,
and only bare names from the rule kind's list are accepted; an attribute or index
(``{device.__class__}``, ``{site[0]}``), a positional field (``{0}``, ``{}``), a conversion
(``{site!r}``) or a format spec (``{in:>10}``) is refused with a clear error. Filling is a
plain substitution of each field's text: no ``str.format`` ever runs on the template.
"""

from collections.abc import Iterable, Mapping
from string import Formatter

from django.utils.translation import gettext as _


class TemplateError(ValueError):
    pass


def _parts(template: str) -> list[tuple[str, str | None]]:
    """(literal text, field name or None) pairs; raises TemplateError on anything but names."""
    try:
        parsed = list(Formatter().parse(template))
    except ValueError as exc:  # unbalanced braces
        raise TemplateError(
            _("The message has an unmatched brace: write {{ or }} for a literal brace.")
        ) from exc
    parts = []
    for literal, field, spec, conversion in parsed:
        if field is None:
            parts.append((literal, None))
            continue
        if not field.isidentifier() or spec or conversion:
            written = field + (f"!{conversion}" if conversion else "")
            written += f":{spec}" if spec else ""
            raise TemplateError(
                _("“{%(field)s}” is not allowed: use a field name alone, like {device}.")
                % {"field": written}
            )
        parts.append((literal, field))
    return parts


def template_check(template: str, *, names: Iterable[str]) -> None:
    """Raise TemplateError unless ``template`` names only fields in ``names``."""
    allowed = set(names)
    unknown = sorted({f for _lit, f in _parts(template) if f is not None and f not in allowed})
    if unknown:
        raise TemplateError(
            _("Unknown field(s) %(unknown)s. The fields this rule offers: %(names)s.")
            % {
                "unknown": ", ".join("{" + f + "}" for f in unknown),
                "names": ", ".join("{" + n + "}" for n in sorted(allowed)),
            }
        )


def template_render(template: str, values: Mapping[str, object]) -> str:
    """Fill ``template``: each field becomes ``str(values[name])`` (an unknown or missing field
    stays as written, so a template saved before a kind changed still renders)."""
    out = []
    for literal, field in _parts(template):
        out.append(literal)
        if field is not None:
            out.append(str(values[field]) if field in values else "{" + field + "}")
    return "".join(out)
