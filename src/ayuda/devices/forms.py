"""The scan rule form (R33): a known kind, a threshold in its range, templates that name only
the kind's figures. Bad input is a clear form error and nothing is saved."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ScanRule
from .rules import REGISTRY, kind_choices
from .templates import TemplateError, template_check

MESSAGE_FIELDS = ("message_es", "message_it", "message_en")


class ScanRuleForm(forms.ModelForm):
    kind = forms.ChoiceField(label=_("kind"), choices=kind_choices)
    threshold = forms.DecimalField(
        label=_("threshold"),
        max_digits=10,
        decimal_places=2,
        required=False,
        help_text=_("Empty: the kind's default."),
    )

    class Meta:
        model = ScanRule
        fields = [
            "name",
            "kind",
            "threshold",
            "every_minutes",
            "organisation",
            "site",
            "device_model",
            "category",
            "priority",
            "message_es",
            "message_it",
            "message_en",
            "on_recovery",
            "healthy_scans_to_recover",
            "is_active",
            "position",
        ]

    def clean(self):
        data = super().clean()
        spec = REGISTRY.get(data.get("kind") or "")
        if spec is None:
            return data
        threshold = data.get("threshold")
        if threshold is None and "threshold" not in self.errors:
            threshold = data["threshold"] = Decimal(spec.threshold_default)
        if threshold is not None:
            error = spec.threshold_error(threshold)
            if error:
                self.add_error("threshold", error)
        for name in MESSAGE_FIELDS:
            try:
                template_check(data.get(name) or "", names=spec.figure_names())
            except TemplateError as exc:
                self.add_error(name, str(exc))
        if data.get("every_minutes") is not None and data["every_minutes"] < 1:
            self.add_error("every_minutes", _("A rule runs at most once a minute."))
        if data.get("healthy_scans_to_recover") is not None and not (
            1 <= data["healthy_scans_to_recover"] <= 1000
        ):
            self.add_error(
                "healthy_scans_to_recover",
                _("Between 1 and 1000 healthy scans in a row."),
            )
        organisation, site = data.get("organisation"), data.get("site")
        if organisation and site and site.organisation_id != organisation.pk:
            self.add_error("site", _("That site belongs to another organisation."))
        return data
