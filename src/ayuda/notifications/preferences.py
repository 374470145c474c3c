"""Which alerts each agent wants, per kind: in the workspace (the bell), by e-mail, both or
neither (R23). No row means the default: every kind in the workspace, and mail for
``EMAIL_BY_DEFAULT`` (assignment, escalation to one's team, a missed target)."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from ayuda.accounts.models import User
from ayuda.core.errors import ValidationError

from .models import EMAIL_BY_DEFAULT, NotificationKind, NotificationPreference


@dataclass(frozen=True)
class Choice:
    kind: str
    in_app: bool
    email: bool

    @property
    def label(self) -> str:
        return NotificationKind(self.kind).label


def choice_default(kind: str) -> Choice:
    return Choice(kind=kind, in_app=True, email=kind in EMAIL_BY_DEFAULT)


def preferences_for(*, users: Iterable[User], kind: str) -> dict[int, Choice]:
    """Each user's choice for ``kind``, by user id. One query."""
    ids = [u.pk for u in users]
    found = {
        user_id: Choice(kind=kind, in_app=in_app, email=email)
        for user_id, in_app, email in NotificationPreference.objects.filter(
            user_id__in=ids, kind=kind
        ).values_list("user_id", "in_app", "email")
    }
    return {pk: found.get(pk) or choice_default(kind) for pk in ids}


def preferences_of(*, user: User) -> list[Choice]:
    """The user's choice for every kind, in the order of ``NotificationKind``. One query."""
    found = {
        p.kind: Choice(kind=p.kind, in_app=p.in_app, email=p.email)
        for p in NotificationPreference.objects.filter(user=user)
    }
    return [found.get(kind) or choice_default(kind) for kind in NotificationKind.values]


@transaction.atomic
def preferences_save(*, user: User, choices: dict[str, tuple[bool, bool]]) -> list[Choice]:
    """Store the user's (in_app, email) per kind; kinds left out keep their current choice.
    An unknown kind is refused and nothing is saved."""
    unknown = sorted(set(choices) - set(NotificationKind.values))
    if unknown:
        from django.utils.translation import gettext as _

        raise ValidationError(_("Unknown kind of notification: %(kind)s") % {"kind": unknown[0]})
    rows = [
        NotificationPreference(user=user, kind=kind, in_app=bool(in_app), email=bool(email))
        for kind, (in_app, email) in choices.items()
    ]
    NotificationPreference.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["user", "kind"],
        update_fields=["in_app", "email"],
    )
    return preferences_of(user=user)
