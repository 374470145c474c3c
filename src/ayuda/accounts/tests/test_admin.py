"""The organisation admin: whether vendors read its requesters' contact details."""

import pytest
from django.urls import reverse

from ayuda.accounts.models import Organisation, Role

from .factories import organisation_make, user_make

pytestmark = pytest.mark.django_db


def test_an_administrator_lets_vendors_read_an_organisations_contact_details(client):
    # given
    organisation = organisation_make(name="Alfa Retail")
    client.force_login(user_make(role=Role.ADMIN, is_staff=True, is_superuser=True))
    url = reverse("admin:accounts_organisation_change", args=[organisation.pk])

    # when
    form = client.get(url).content.decode()
    response = client.post(
        url,
        {
            "name": "Alfa Retail",
            "email_domains": "alfa.example",
            "language": "en",
            "timezone": "UTC",
            "share_contact_with_vendors": "on",
        },
    )

    # then
    assert "Share requesters’ contact details with vendors" in form
    assert response.status_code == 302
    assert Organisation.objects.get(pk=organisation.pk).share_contact_with_vendors is True
    assert organisation_make().share_contact_with_vendors is False
