"""Outgoing mail is configured from the environment through Django's MAILERS."""

from ayuda.config.settings.base import FILE_BACKEND, SMTP_BACKEND, mailers_from_environment


def test_smtp_options_come_from_the_environment(monkeypatch):
    # given
    monkeypatch.setenv("EMAIL_HOST", "smtp.example.org")
    monkeypatch.setenv("EMAIL_PORT", "587")
    monkeypatch.setenv("EMAIL_HOST_USER", "desk")
    monkeypatch.setenv("EMAIL_HOST_PASSWORD", "s3cret")
    monkeypatch.setenv("EMAIL_USE_TLS", "1")

    # when
    mailer = mailers_from_environment(SMTP_BACKEND)["default"]

    # then
    assert mailer["BACKEND"] == SMTP_BACKEND
    assert mailer["OPTIONS"] == {
        "host": "smtp.example.org",
        "port": 587,
        "username": "desk",
        "password": "s3cret",
        "use_tls": True,
        "use_ssl": False,
        "timeout": 30,
    }


def test_the_embedded_default_writes_mail_to_files(monkeypatch):
    monkeypatch.delenv("EMAIL_BACKEND", raising=False)
    mailer = mailers_from_environment(FILE_BACKEND)["default"]
    assert mailer["BACKEND"] == FILE_BACKEND
    assert mailer["OPTIONS"]["file_path"].endswith("mail")


def test_another_backend_gets_no_smtp_options(monkeypatch):
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    mailer = mailers_from_environment(SMTP_BACKEND)["default"]
    assert mailer == {"BACKEND": "django.core.mail.backends.console.EmailBackend", "OPTIONS": {}}
