import pytest

from ayuda.accounts.tests.factories import user_make

pytestmark = pytest.mark.django_db


def test_the_footer_menu_changes_a_signed_in_users_language(client):
    # given
    user = user_make(language="en")
    client.force_login(user)

    # when
    response = client.post("/language/", {"language": "it", "next": "/preferences/"})

    # then
    user.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == "/preferences/"
    assert user.language == "it"
    assert "Preferenze" in client.get("/preferences/").content.decode()


def test_an_unknown_language_changes_nothing(client):
    # given
    user = user_make(language="es")
    client.force_login(user)

    # when
    client.post("/language/", {"language": "xx", "next": "/"})

    # then
    user.refresh_from_db()
    assert user.language == "es"


def test_the_menu_works_before_log_in_too(client):
    # when
    response = client.post("/language/", {"language": "es", "next": "/login/"})

    # then
    assert response.status_code == 302
    assert client.cookies["django_language"].value == "es"
