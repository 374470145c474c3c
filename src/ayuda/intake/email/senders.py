"""Who wrote a mail: a known user, a vendor, someone of a known organisation, or a stranger."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models.functions import Lower

from ayuda.accounts.models import Organisation, Role, User, Vendor


@dataclass(frozen=True)
class Sender:
    address: str
    name: str
    user: User | None
    vendor: Vendor | None
    organisation: Organisation | None

    @property
    def is_helpdesk(self) -> bool:
        return self.user is not None and self.user.is_helpdesk


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1].lower()


@dataclass(frozen=True)
class Directory:
    """What sender identification reads for every mail, loaded once per poll: organisations
    by e-mail domain and vendors by address and domain."""

    organisations: dict[str, Organisation]
    vendors_by_address: dict[str, Vendor]
    vendors_by_domain: dict[str, Vendor]


def directory_load() -> Directory:
    organisations: dict[str, Organisation] = {}
    for organisation in Organisation.objects.exclude(email_domains="").order_by("pk"):
        for domain in organisation.domain_list():
            organisations.setdefault(domain, organisation)
    by_address: dict[str, Vendor] = {}
    by_domain: dict[str, Vendor] = {}
    for vendor in Vendor.objects.exclude(email="").order_by("pk"):
        by_address.setdefault(vendor.email.lower(), vendor)
        by_domain.setdefault(_domain(vendor.email), vendor)
    return Directory(organisations, by_address, by_domain)


def organisation_for_address(address: str, directory: Directory) -> Organisation | None:
    return directory.organisations.get(_domain(address))


def vendor_for_address(address: str, directory: Directory) -> Vendor | None:
    """The vendor whose support address is this one, or shares its domain."""
    return directory.vendors_by_address.get(address) or directory.vendors_by_domain.get(
        _domain(address)
    )


def sender_identify(*, address: str, name: str = "", directory: Directory | None = None) -> Sender:
    # LOWER(email) = address: served by an index on Lower("email") (see docs/email.md).
    user = (
        get_user_model()
        .objects.alias(email_lower=Lower("email"))
        .filter(email_lower=address.lower(), is_active=True)
        .order_by("pk")
        .first()
    )
    directory = directory or directory_load()
    vendor = None
    if user is not None and user.vendor_id:
        vendor = user.vendor
    elif user is None:
        vendor = vendor_for_address(address, directory)
    organisation = user.organisation if user is not None else None
    if user is None and vendor is None:
        organisation = organisation_for_address(address, directory)
    return Sender(address=address, name=name, user=user, vendor=vendor, organisation=organisation)


def requester_create(*, sender: Sender, language: str) -> User:
    """A requester account for someone who wrote in for the first time. No password: they
    use the portal's password reset to log in."""
    model = get_user_model()
    base = sender.address[:150]
    username, n = base, 1
    while model.objects.filter(username=username).exists():
        n += 1
        suffix = f"-{n}"
        username = base[: 150 - len(suffix)] + suffix
    first, _, last = (sender.name or "").strip().partition(" ")
    organisation = sender.organisation
    user = model(
        username=username,
        email=sender.address,
        first_name=first[:150],
        last_name=last[:150],
        role=Role.REQUESTER,
        organisation=organisation,
        language=organisation.language if organisation else language,
        timezone=organisation.timezone if organisation else "UTC",
    )
    user.set_unusable_password()
    user.save()
    return user
