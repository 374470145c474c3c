"""Portal forms: what a customer types. Business rules stay in the ticket services; these
forms only shape input and give field-level errors early (the services check again)."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.html import conditional_escape
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from ayuda.accounts.models import Role, Site, User
from ayuda.core.cache import cached_list
from ayuda.core.errors import ValidationError
from ayuda.tickets.attachments import IncomingFile, attachments_check, attachments_count_check
from ayuda.tickets.extra_fields import spec_choices, spec_help, spec_label, specs_of
from ayuda.tickets.models import Category, TicketType

PORTAL_TYPES = [
    (TicketType.INCIDENT.value, TicketType.INCIDENT.label),
    (TicketType.SERVICE_REQUEST.value, TicketType.SERVICE_REQUEST.label),
    (TicketType.IMPROVEMENT.value, TicketType.IMPROVEMENT.label),
]
EXTRA_PREFIX = "extra_"
SOFTWARE_FIELDS = ("steps_to_reproduce", "url", "software_version", "software_edition")
SOFTWARE_REQUIRED = gettext_lazy("Software problems need this; please fill it in.")


def categories_active() -> list[tuple[Category, str]]:
    """Active categories whose ancestors are active too, each with its "Parent › Child" label
    in the active language, sorted by that label. Kept with the select-box lists
    (``ayuda.core.cache``), once per language: whole rows with their default team, so checking
    and routing a new ticket reads nothing more."""
    return cached_list(f"portal_categories:{get_language()}", _categories_active)


def _categories_active() -> list[tuple[Category, str]]:
    """One query whatever the depth of the tree."""
    rows = {c.pk: c for c in Category.objects.select_related("default_team")}

    def path(category: Category) -> list[Category] | None:
        chain, seen = [], set()
        while category is not None and category.pk not in seen:
            if not category.is_active:
                return None
            seen.add(category.pk)
            chain.append(category)
            category = rows.get(category.parent_id) if category.parent_id else None
        return list(reversed(chain))

    labelled = []
    for category in rows.values():
        chain = path(category)
        if chain:
            labelled.append((category, " › ".join(c.display_name for c in chain)))
    return sorted(labelled, key=lambda pair: pair[1].casefold())


def sites_for(user: User):
    """The sites a customer may raise a ticket for: a site admin's own sites, or for a
    requester every site of their organisation."""
    if user.organisation_id is None:
        return Site.objects.none()
    if user.role == Role.SITE_ADMIN:
        return user.sites.filter(organisation_id=user.organisation_id).order_by("name")
    return Site.objects.filter(organisation_id=user.organisation_id).order_by("name")


class SiteChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Site) -> str:
        return f"{obj.name} ({obj.code})" if obj.code else obj.name


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list of ``IncomingFile`` checked by content."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not uploads:
            return []
        try:
            attachments_count_check(len(uploads))  # before reading any of them
        except ValidationError as error:
            raise forms.ValidationError(error.message) from None
        max_bytes = settings.AYUDA_ATTACHMENT_MAX_BYTES
        files = []
        for upload in uploads:
            if upload.size > max_bytes:  # refuse before reading it into memory
                raise forms.ValidationError(
                    _("“%(name)s” is too large (%(size)s); the limit is %(limit)s.")
                    % {
                        "name": upload.name,
                        "size": filesizeformat(upload.size),
                        "limit": filesizeformat(max_bytes),
                    }
                )
            files.append(IncomingFile(name=upload.name, content=upload.read()))
        try:
            attachments_check(files)
        except ValidationError as error:
            raise forms.ValidationError(error.message) from None
        return files


def attachments_field() -> MultipleFileField:
    return MultipleFileField(
        label=gettext_lazy("Attachments"),
        help_text=gettext_lazy(
            "Screenshots (PNG, GIF, JPEG), PDF, plain-text logs or ZIP/RAR archives; "
            "BMP images only inside a ZIP or RAR archive."
        ),
    )


class CategoryForm(forms.Form):
    """Step 1: which kind of problem. Submitted by GET so it works without JavaScript."""

    category = forms.TypedChoiceField(label=gettext_lazy("Category"), coerce=int, required=False)

    def __init__(self, *args, categories: list[tuple[Category, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = {c.pk: c for c, _label in categories}
        self.fields["category"].choices = [("", _("Choose a category…"))] + [
            (c.pk, label) for c, label in categories
        ]

    def chosen(self) -> Category | None:
        if not self.is_bound or not self.is_valid():
            return None
        return self.categories.get(self.cleaned_data["category"])


class TicketForm(forms.Form):
    """Step 2: the ticket, with the chosen category's own fields."""

    subject = forms.CharField(
        label=gettext_lazy("Subject"),
        max_length=255,
        help_text=gettext_lazy("A short summary, for example “Invoice screen shows an error”."),
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=50_000,
        help_text=gettext_lazy("What happened, and what did you expect to happen?"),
    )
    steps_to_reproduce = forms.CharField(
        label=gettext_lazy("Steps to reproduce"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20_000,
        help_text=gettext_lazy("The steps, one per line, that make the problem appear."),
    )
    url = forms.URLField(
        label=gettext_lazy("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=gettext_lazy("The address of the page where it happens."),
    )
    software_version = forms.CharField(label=gettext_lazy("Software version"), max_length=100)
    software_edition = forms.CharField(
        label=gettext_lazy("Edition"),
        max_length=100,
        help_text=gettext_lazy("For example Standard, Professional or Enterprise."),
    )
    type = forms.ChoiceField(
        label=gettext_lazy("Type"), choices=PORTAL_TYPES, initial=TicketType.INCIDENT
    )
    site = SiteChoiceField(label=gettext_lazy("Site"), queryset=Site.objects.none(), required=False)
    attachments = attachments_field()

    def __init__(self, *args, user: User, category: Category | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.category = category
        if category is not None and category.is_software:
            for name in SOFTWARE_FIELDS:
                self.fields[name].error_messages["required"] = SOFTWARE_REQUIRED
        else:
            for name in SOFTWARE_FIELDS:
                del self.fields[name]
        sites = sites_for(user)
        self.fields["site"].queryset = sites
        self.fields["site"].empty_label = _("No particular site")
        if user.role == Role.SITE_ADMIN:
            self.fields["site"].help_text = _("One of the sites you look after.")
        for spec in specs_of(category):
            self.fields[EXTRA_PREFIX + spec["name"]] = extra_field(spec)

    @property
    def software_fields(self):
        return [self[name] for name in SOFTWARE_FIELDS if name in self.fields]

    @property
    def extra_fields(self):
        return [self[name] for name in self.fields if name.startswith(EXTRA_PREFIX)]

    @property
    def has_sites(self) -> bool:
        return self.fields["site"].queryset.exists()

    def environment(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in SOFTWARE_FIELDS if name in self.fields}

    def extra(self) -> dict[str, str]:
        return {
            name.removeprefix(EXTRA_PREFIX): value
            for name, value in self.cleaned_data.items()
            if name.startswith(EXTRA_PREFIX) and value not in ("", None)
        }

    def add_service_error(self, error: ValidationError) -> None:
        """Put a service's error on the field it names, or on the form."""
        field = error.field
        if field and EXTRA_PREFIX + field in self.fields:
            field = EXTRA_PREFIX + field
        self.add_error(field if field in self.fields else None, error.message)


def extra_field(spec: dict) -> forms.Field:
    """A form field for one entry of a category's ``extra_fields``, in the active language."""
    options = {
        "label": spec_label(spec),
        "required": bool(spec.get("required")),
        # Django renders help text unescaped; this text comes from the category's settings.
        "help_text": conditional_escape(spec_help(spec)),
    }
    match spec.get("type", "text"):
        case "textarea":
            return forms.CharField(
                widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000, **options
            )
        case "url":
            return forms.URLField(max_length=500, assume_scheme="https", **options)
        case "choice":
            return forms.ChoiceField(choices=[("", "—"), *spec_choices(spec)], **options)
        case _:
            return forms.CharField(max_length=1000, **options)


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Your message"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=50_000,
    )
    attachments = attachments_field()

    def add_service_error(self, error: ValidationError) -> None:
        self.add_error(error.field if error.field in self.fields else None, error.message)
