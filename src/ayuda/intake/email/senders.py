"""Who wrote a mail: a known user, a vendor, someone of a known organisation, or a stranger."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model

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


def organisation_for_address(address: str) -> Organisation | None:
    domain = _domain(address)
    for organisation in Organisation.objects.filter(email_domains__icontains=domain):
        if domain in organisation.domain_list():
            return organisation
    return None


def vendor_for_address(address: str) -> Vendor | None:
    """The vendor whose support address is this one, or shares its domain."""
    exact = Vendor.objects.filter(email__iexact=address).first()
    if exact is not None:
        return exact
    return Vendor.objects.filter(email__iendswith=f"@{_domain(address)}").order_by("pk").first()


def sender_identify(*, address: str, name: str = "") -> Sender:
    user = (
        get_user_model()
        .objects.filter(email__iexact=address, is_active=True)
        .select_related("organisation", "vendor")
        .order_by("pk")
        .first()
    )
    vendor = None
    if user is not None and user.vendor_id:
        vendor = user.vendor
    elif user is None or not user.is_helpdesk:
        vendor = vendor_for_address(address) if user is None else None
    organisation = user.organisation if user is not None else None
    if user is None and vendor is None:
        organisation = organisation_for_address(address)
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
