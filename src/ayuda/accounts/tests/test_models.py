"""Roles decide what kind of user someone is; organisations own their e-mail domains."""

import pytest

from ayuda.accounts.models import Organisation, Role, User

# role -> (is_customer, is_helpdesk, is_vendor_agent, is_agent)
KINDS = {
    Role.REQUESTER: (True, False, False, False),
    Role.SITE_ADMIN: (True, False, False, False),
    Role.AGENT_L1: (False, True, False, True),
    Role.AGENT_L2: (False, True, False, True),
    Role.VENDOR_AGENT: (False, False, True, True),
    Role.MANAGER: (False, True, False, True),
    Role.ADMIN: (False, True, False, True),
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_is_exactly_one_kind_of_user(role):
    # given
    user = User(role=role)

    # when
    kind = (user.is_customer, user.is_helpdesk, user.is_vendor_agent, user.is_agent)

    # then
    assert kind == KINDS[role]


def test_every_role_is_classified():
    # given / when
    classified = set(KINDS)

    # then
    assert classified == set(Role)


def test_domain_list_is_trimmed_lowercased_and_skips_blanks():
    # given
    organisation = Organisation(email_domains=" Acme.ES, ,acme.it ,")

    # when
    domains = organisation.domain_list()

    # then
    assert domains == ["acme.es", "acme.it"]


@pytest.mark.parametrize(
    ("first", "last", "email", "expected"),
    [
        ("Ana", "Gómez", "ana@example.com", "Ana Gómez"),
        ("", "", "ana@example.com", "ana@example.com"),
        ("", "", "", "ana"),
    ],
)
def test_display_name_falls_back_to_email_then_username(first, last, email, expected):
    # given
    user = User(username="ana", first_name=first, last_name=last, email=email)

    # when
    shown = user.display_name()

    # then
    assert shown == expected
