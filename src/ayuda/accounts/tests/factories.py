"""Plain factory functions for tests: each makes a valid object, keywords override."""

import itertools

from ayuda.accounts.models import Level, Organisation, Role, Site, Team, User, Vendor

_seq = itertools.count(1)


def organisation_make(**kwargs) -> Organisation:
    n = next(_seq)
    kwargs.setdefault("name", f"Org {n}")
    kwargs.setdefault("email_domains", f"org{n}.example")
    return Organisation.objects.create(**kwargs)


def site_make(*, organisation: Organisation | None = None, **kwargs) -> Site:
    n = next(_seq)
    kwargs.setdefault("name", f"Site {n}")
    return Site.objects.create(organisation=organisation or organisation_make(), **kwargs)


def team_make(*, level: str = Level.L1, **kwargs) -> Team:
    kwargs.setdefault("name", f"Team {next(_seq)}")
    return Team.objects.create(level=level, **kwargs)


def vendor_make(**kwargs) -> Vendor:
    n = next(_seq)
    kwargs.setdefault("name", f"Vendor {n}")
    kwargs.setdefault("email", f"support@vendor{n}.example")
    return Vendor.objects.create(**kwargs)


def user_make(
    *,
    role: str = Role.REQUESTER,
    organisation: Organisation | None = None,
    teams=(),
    sites=(),
    password: str = "pass",
    **kwargs,
) -> User:
    n = next(_seq)
    kwargs.setdefault("username", f"{role}{n}")
    kwargs.setdefault("email", f"{kwargs['username']}@example.com")
    if role in (Role.REQUESTER, Role.SITE_ADMIN) and organisation is None:
        organisation = organisation_make()
    user = User.objects.create_user(
        role=role, organisation=organisation, password=password, **kwargs
    )
    if teams:
        user.teams.set(teams)
    if sites:
        user.sites.set(sites)
    return user
