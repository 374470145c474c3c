"""Who reads reports: the help desk. Managers and administrators see everything; level 1 and
level 2 agents see their own teams' tickets (R29). Importing calls and the staffing page are for
managers and administrators."""

from ayuda.accounts.models import Role, User

MANAGER_ROLES = frozenset({Role.MANAGER, Role.ADMIN})


def can_read_reports(user: User) -> bool:
    return user.is_authenticated and user.is_helpdesk


def can_manage(user: User) -> bool:
    """Staffing, opening hours, call imports."""
    return user.is_authenticated and user.role in MANAGER_ROLES


def team_scope(user: User) -> tuple[int, ...] | None:
    """The teams whose tickets ``user`` reads in reports; None for all (managers)."""
    if user.role in MANAGER_ROLES:
        return None
    return tuple(user.teams.values_list("pk", flat=True).order_by("pk"))
