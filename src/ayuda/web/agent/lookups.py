"""Read-only lists the agent workspace shows in its select boxes, each loaded at most once
per request so a page costs a fixed number of queries however many forms it renders."""

from functools import cached_property

from django.conf import settings
from django.db.models import Q
from django.utils.translation import get_language

from ayuda.accounts.models import (
    CUSTOMER_ROLES,
    HELPDESK_ROLES,
    Organisation,
    Site,
    Team,
    User,
    Vendor,
)
from ayuda.core.cache import cached_list, lookups_version
from ayuda.core.i18n import translated
from ayuda.tickets.models import Category, TicketState
from ayuda.tickets.selectors import TicketRefs, vendor_ticket_refs


def _categories_labelled(language: str) -> list[Category]:
    """Every category with its path in ``language`` as ``label``, sorted by it."""
    rows = list(Category.objects.order_by("name"))
    by_id = {c.pk: c for c in rows}
    for category in rows:
        names, node, seen = [], category, set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            names.append(translated(node.name_i18n, node.name, language=language))
            node = by_id.get(node.parent_id)
        category.label = " › ".join(reversed(names))
    return sorted(rows, key=lambda c: c.label.lower())


class Lookups:
    """Each list is loaded at most once per request, and kept briefly in the cache across
    requests (``ayuda.core.cache``). The objects in the lists are shared by the requests of
    a process: read them, never change them.

    Given a vendor agent as ``user``, the lists (what select boxes offer) hold only what
    appears on the tickets that vendor may see (``vendor_ticket_refs``, cached under the
    vendor's own key) and no agents of the help desk; without ``user`` (or for the help desk)
    they hold everything. The ``*_names``/``*_labels`` maps label a ticket's own team, site,
    organisation and category, on tickets the user already may see: they hold every one, so
    a ticket escalated since the vendor's choices were cached is labelled all the same."""

    def __init__(self, user: User | None = None):
        self.user = user

    @cached_property
    def is_vendor(self) -> bool:
        return self.user is not None and self.user.is_vendor_agent

    @cached_property
    def _version(self) -> str:
        return lookups_version() if settings.AYUDA_LOOKUP_CACHE_SECONDS else ""

    def _cached(self, name: str, load):
        return cached_list(name, load, version=self._version)

    @cached_property
    def _refs(self) -> TicketRefs | None:
        """For a vendor agent, what its tickets refer to; None for everybody else."""
        if not self.is_vendor:
            return None
        user = self.user
        return self._cached(
            f"vendor:{user.vendor_id}:refs", lambda: [vendor_ticket_refs(user=user)]
        )[0]

    def _seen[T](self, objects: list[T], ids: str) -> list[T]:
        refs = self._refs
        if refs is None:
            return objects
        allowed = getattr(refs, ids)
        return [o for o in objects if o.pk in allowed]

    @cached_property
    def _all_teams(self) -> list[Team]:
        return self._cached("teams", lambda: list(Team.objects.order_by("level", "name")))

    @cached_property
    def teams(self) -> list[Team]:
        return self._seen(self._all_teams, "teams")

    @cached_property
    def agents(self) -> list[User]:
        if self.is_vendor:
            return []  # the help desk's people are never listed to a vendor
        return self._cached(
            "agents",
            lambda: list(
                User.objects.filter(role__in=HELPDESK_ROLES, is_active=True)
                .only("id", "role", "is_active", "first_name", "last_name", "email", "username")
                .order_by("first_name", "last_name", "username")
            ),
        )

    @cached_property
    def agent_names(self) -> dict[int, str]:
        return {u.pk: u.display_name() for u in self.agents}

    def user_names(self, ids) -> dict[int, str]:
        """Names for user ids: active agents from the list, anyone else in one query (never
        for a vendor agent: it gets no names here)."""
        if self.is_vendor:
            return {}
        names = {pk: self.agent_names[pk] for pk in ids if pk in self.agent_names}
        missing = {pk for pk in ids if pk is not None and pk not in names}
        if missing:
            names |= {u.pk: u.display_name() for u in User.objects.filter(pk__in=missing)}
        return names

    @cached_property
    def team_names(self) -> dict[int, str]:
        return {t.pk: t.name for t in self._all_teams}

    @cached_property
    def language(self) -> str:
        return get_language() or settings.LANGUAGE_CODE

    @cached_property
    def _all_categories(self) -> list[Category]:
        # Their labels are translated: one list per language (the objects are shared).
        language = self.language
        return self._cached(f"categories:{language}", lambda: _categories_labelled(language))

    @cached_property
    def categories(self) -> list[Category]:
        """Every category with its full path as ``label`` (no query per parent)."""
        return self._seen(self._all_categories, "categories")

    @cached_property
    def category_labels(self) -> dict[int, str]:
        return {c.pk: c.label for c in self._all_categories}

    @cached_property
    def _all_sites(self) -> list[Site]:
        return self._cached(
            "sites",
            lambda: list(
                Site.objects.select_related("organisation").order_by("organisation__name")
            ),
        )

    @cached_property
    def sites(self) -> list[Site]:
        return self._seen(self._all_sites, "sites")

    @cached_property
    def site_labels(self) -> dict[int, str]:
        return {s.pk: s.name for s in self._all_sites}

    @cached_property
    def _all_organisations(self) -> list[Organisation]:
        return self._cached("organisations", lambda: list(Organisation.objects.order_by("name")))

    @cached_property
    def organisations(self) -> list[Organisation]:
        return self._seen(self._all_organisations, "organisations")

    @cached_property
    def organisations_by_id(self) -> dict[int, Organisation]:
        return {o.pk: o for o in self._all_organisations}

    @cached_property
    def organisation_names(self) -> dict[int, str]:
        return {o.pk: o.name for o in self._all_organisations}

    @cached_property
    def vendors(self) -> list[Vendor]:
        if self.is_vendor:
            return []
        return self._cached("vendors", lambda: list(Vendor.objects.order_by("name")))

    @cached_property
    def states(self) -> list[TicketState]:
        return self._cached(
            "states", lambda: list(TicketState.objects.order_by("position", "name"))
        )

    @cached_property
    def state_names(self) -> dict[int, str]:
        """Each state's name in the request's language (the list itself holds no text that
        depends on the language, so one cached list serves every language)."""
        return {s.pk: s.display_name for s in self.states}

    @cached_property
    def state_names_by_name(self) -> dict[str, str]:
        """The same, keyed by the configured name history events recorded."""
        return {s.name: s.display_name for s in self.states}


CUSTOMER_SEARCH_LIMIT = 50


def customers_search(text: str, *, limit: int = CUSTOMER_SEARCH_LIMIT) -> list[User]:
    """Customers whose name, user name or e-mail contains ``text`` (all of them if empty)."""
    customers = User.objects.filter(role__in=CUSTOMER_ROLES, is_active=True)
    for word in text.split()[:4]:
        customers = customers.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(username__icontains=word)
            | Q(email__icontains=word)
        )
    return list(
        customers.select_related("organisation").order_by("first_name", "last_name", "username")[
            :limit
        ]
    )
