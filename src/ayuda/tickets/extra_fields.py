"""A category's extra form fields (``Category.extra_fields``): a JSON list of field specs.

Each spec::

    {"name": "serial",                      # the key the answer is stored under
     "type": "text|textarea|url|choice",    # optional, "text" by default
     "required": true,                      # optional
     "label": "Serial number",              # or one text per language:
     "help": {"en": "On the back.", "es": "Detrás.", "it": "Sul retro."},
     "choices": ["Black", {"value": "colour", "label": {"en": "Colour", "es": "Color"}}]}

``label``, ``help`` and a choice's ``label`` are a text or an object with one text per
language (``core.i18n.translated`` picks one, falling back to the name or the value). A
choice's ``value`` is what is stored on the ticket, whatever language the customer reads.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ayuda.core.i18n import language_codes, translated

FIELD_TYPES = ("text", "textarea", "url", "choice")
TEXT_KEYS = ("label", "help")


def _text(value, default: str, language: str | None) -> str:
    if isinstance(value, dict):
        return translated(value, default, language=language)
    return value if isinstance(value, str) and value else default


def spec_label(spec: dict, language: str | None = None) -> str:
    return _text(spec.get("label"), str(spec.get("name", "")), language)


def spec_help(spec: dict, language: str | None = None) -> str:
    return _text(spec.get("help"), "", language)


def spec_choices(spec: dict, language: str | None = None) -> list[tuple[str, str]]:
    """``(value, label)`` of each choice, the label in ``language``."""
    choices = []
    for choice in spec.get("choices") or []:
        if isinstance(choice, dict):
            value = str(choice.get("value", ""))
            choices.append((value, _text(choice.get("label"), value, language)))
        else:
            choices.append((str(choice), str(choice)))
    return choices


def specs_of(category) -> list[dict]:
    """The category's well-formed specs (the admin checks them; older rows may not be)."""
    if category is None:
        return []
    return [s for s in category.extra_fields or [] if isinstance(s, dict) and s.get("name")]


def extra_answers(category, extra: dict | None, language: str | None = None):
    """A ticket's answers as ``(label, value)`` rows in ``language``: the category's fields
    first, in order (a choice shown by its label), then any answer without a field."""
    answers = dict(extra or {})
    rows = []
    for spec in specs_of(category):
        name = spec["name"]
        if name not in answers:
            continue
        value = str(answers.pop(name))
        labels = dict(spec_choices(spec, language))
        rows.append((spec_label(spec, language), labels.get(value, value)))
    rows += [(str(name), str(value)) for name, value in answers.items()]
    return rows


def _check_text(value, *, number: int, key: str, errors: list[str]) -> None:
    if value is None or isinstance(value, str):
        return
    if isinstance(value, dict):
        codes = language_codes()
        for code, text in value.items():
            if code not in codes:
                errors.append(
                    _("Field %(n)d: “%(code)s” is not a language of this site (%(codes)s).")
                    % {"n": number, "code": code, "codes": ", ".join(codes)}
                )
            elif not isinstance(text, str):
                errors.append(
                    _("Field %(n)d: each text of “%(key)s” must be a text in quotes.")
                    % {"n": number, "key": key}
                )
        return
    errors.append(
        _("Field %(n)d: “%(key)s” must be a text or one text per language, e.g. %(example)s.")
        % {"n": number, "key": key, "example": '{"en": "…", "es": "…", "it": "…"}'}
    )


def _check_choices(spec: dict, *, number: int, errors: list[str]) -> None:
    choices = spec.get("choices")
    if spec.get("type") == "choice" and not choices:
        errors.append(_("Field %(n)d: a choice field needs its “choices”.") % {"n": number})
        return
    if choices is None:
        return
    if not isinstance(choices, list):
        errors.append(_("Field %(n)d: “choices” must be a list.") % {"n": number})
        return
    for choice in choices:
        if isinstance(choice, str) and choice:
            continue
        if isinstance(choice, dict) and isinstance(choice.get("value"), str) and choice["value"]:
            _check_text(choice.get("label"), number=number, key="label", errors=errors)
            continue
        errors.append(
            _(
                "Field %(n)d: each choice must be a text, or an object with a “value” and "
                "its “label”."
            )
            % {"n": number}
        )


def extra_fields_check(value) -> None:
    """Raise a ValidationError listing what is wrong with a category's extra fields."""
    if value in (None, ""):
        return
    if not isinstance(value, list):
        raise ValidationError(_("The extra form fields must be a list of fields: [{…}, {…}]."))
    errors: list[str] = []
    names: set[str] = set()
    for number, spec in enumerate(value, start=1):
        if not isinstance(spec, dict):
            errors.append(_("Field %(n)d must be an object: {…}.") % {"n": number})
            continue
        name = spec.get("name")
        if not isinstance(name, str) or not name.strip():
            errors.append(_("Field %(n)d needs a “name”.") % {"n": number})
        elif name in names:
            errors.append(
                _("Field %(n)d: the name “%(name)s” is used twice.")
                % {
                    "n": number,
                    "name": name,
                }
            )
        else:
            names.add(name)
        if spec.get("type", "text") not in FIELD_TYPES:
            errors.append(
                _("Field %(n)d: “type” must be one of %(types)s.")
                % {"n": number, "types": ", ".join(FIELD_TYPES)}
            )
        if not isinstance(spec.get("required", False), bool):
            errors.append(_("Field %(n)d: “required” must be true or false.") % {"n": number})
        for key in TEXT_KEYS:
            _check_text(spec.get(key), number=number, key=key, errors=errors)
        _check_choices(spec, number=number, errors=errors)
    if errors:
        raise ValidationError(errors)
