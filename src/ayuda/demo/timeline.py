"""The demo's tickets, each raised and moved through its life at plausible past times.

A ticket follows a lifecycle (``plan.SCENARIOS``) and tells one story (``data.stories_*``) that
fits it, in its requester's language. Its steps are dated after its creation, each waiting as
long as that kind of step takes (``plan.DELAYS``), shrunk together to end before the load.
"""

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ayuda.accounts.models import Level, Role, User
from ayuda.tickets import services
from ayuda.tickets.attachments import IncomingFile
from ayuda.tickets.models import Channel, EscalationMode, Ticket, TicketType

from .data.desk import (
    CATEGORIES,
    FIELD_SERVICE,
    FRONT_LINE,
    FRONT_LINE_AGENTS,
    REQUESTERS,
    SITE_ADMINS,
)
from .data.plan import (
    CHANNEL_WEIGHTS,
    DELAYS,
    DESK_HOURS,
    DESK_TIMEZONE,
    END_MARGIN_MINUTES,
    HOUR_WEIGHTS,
    MIN_AGE_WITH_STEPS_MINUTES,
    MONDAY_SHARE,
    PHRASES,
    PRIORITY_WEIGHTS,
    SCENARIOS,
    SEED,
    SHOP_HOURS,
    SPREAD_DAYS,
    STORIES,
    TICKET_COUNT,
    VENDOR_NOTE,
    WEEKEND_KEEP,
)
from .data.story import Story

if TYPE_CHECKING:
    from .loader import Demo

PARENTS = {name: parent for name, parent, *_rest in CATEGORIES}
# A 1x1 PNG, used as a screenshot on a few tickets.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
Step = tuple[str, Callable[[datetime], object]]


def story_fits(story: Story, need: str | None) -> bool:
    """Whether ``story`` has what a lifecycle that needs ``need`` says (see ``plan``)."""
    return {
        None: True,
        "escalation": bool(story.escalation and story.l2_note and story.hand_back),
        "vendor": bool(story.vendor_answer),
        "visit": bool(story.visit),
        "quick": story.quick,
        "incident": story.type == TicketType.INCIDENT,
        "subcategory": PARENTS.get(story.category) is not None,
    }[need]


def tickets_create(demo: "Demo", *, now: datetime) -> int:
    rng = random.Random(SEED)
    times = sorted(
        now - timedelta(seconds=rng.uniform(900, SPREAD_DAYS * 86400)) for _ in range(TICKET_COUNT)
    )
    scenarios = _spread(rng, {k: weight for k, (weight, _stage, _need) in SCENARIOS.items()})
    # Pair older tickets with settled lifecycles, with some noise.
    scenarios.sort(key=lambda s: SCENARIOS[s][1] + rng.uniform(-0.15, 0.15))
    channels = _spread(rng, CHANNEL_WEIGHTS)
    rng.shuffle(channels)
    priorities = _spread(rng, PRIORITY_WEIGHTS)
    rng.shuffle(priorities)
    for i, at in enumerate(times):
        scenario, channel = scenarios[i], channels[i]
        if scenario == "contact_resolved" and channel not in (Channel.PHONE, Channel.WALK_IN):
            channel = rng.choice([Channel.PHONE, Channel.WALK_IN])
        requester, story, channel = _cast(demo, rng, scenario, channel)
        min_age = timedelta(minutes=15 if scenario == "new" else MIN_AGE_WITH_STEPS_MINUTES)
        if channel != Channel.MONITORING:
            at = _in_shop_hours(rng, at, latest=now - min_age, tz=requester.timezone)
        elif at > now - min_age:
            at -= timedelta(days=1)
        ticket = _create(demo, rng, i, at, channel, priorities[i], requester, story, scenario)
        steps = _steps(demo, rng, ticket, story, scenario)
        latest = now - timedelta(minutes=END_MARGIN_MINUTES)
        for when, (_kind, step) in zip(_schedule(rng, at, steps, latest), steps, strict=True):
            step(when)
    return TICKET_COUNT


def _spread(rng: random.Random, weights: dict) -> list:
    """TICKET_COUNT values: each key at least once, the rest drawn by weight."""
    values = list(weights)
    values += rng.choices(list(weights), weights=list(weights.values()), k=TICKET_COUNT)
    return values[:TICKET_COUNT]


def _in_shop_hours(rng: random.Random, at: datetime, *, latest: datetime, tz: str) -> datetime:
    """``at``'s day, at a time the shops are open in the requester's time zone, not after
    ``latest``."""
    local = at.astimezone(ZoneInfo(tz))
    opens, closes = SHOP_HOURS
    weekday = local.weekday()
    if weekday >= 5 and rng.random() > WEEKEND_KEEP:
        local -= timedelta(days=weekday - rng.randrange(5))  # a weekday of that week
    elif weekday in (1, 2) and rng.random() < MONDAY_SHARE:
        local -= timedelta(days=weekday)  # the Monday peak
    hours = [h for h in HOUR_WEIGHTS if opens <= h < closes]
    hour = rng.choices(hours, weights=[HOUR_WEIGHTS[h] for h in hours])[0]
    moved = local.replace(hour=hour, minute=rng.randrange(60))
    while moved > latest:
        moved -= timedelta(days=1)
    return moved


def _desk_time(rng: random.Random, at: datetime) -> datetime:
    """``at`` if the help desk is working then, else a time early the next working morning."""
    local = at.astimezone(ZoneInfo(DESK_TIMEZONE))
    opens, closes = DESK_HOURS
    if local.hour >= closes:
        local += timedelta(days=1)
    if not opens <= local.hour < closes:
        local = local.replace(hour=opens, minute=rng.randrange(60), second=rng.randrange(60))
    return local


def _schedule(rng: random.Random, start: datetime, steps: list[Step], latest: datetime) -> list:
    """When each step happens: after the one before, by its kind's delay, in desk hours (a
    contact is answered on the spot), the last not after ``latest``. Delays are shrunk
    together until the steps fit; if even short ones do not fit in desk hours, the steps are
    spread evenly up to ``latest``."""
    delays = [rng.uniform(*DELAYS[kind]) for kind, _step in steps]
    scale = 1.0
    for _attempt in range(10):
        times, at = [], start
        for (kind, _step), minutes in zip(steps, delays, strict=True):
            at += timedelta(minutes=minutes * scale)
            if kind != "contact":
                at = _desk_time(rng, at)
            times.append(at)
        if not times or times[-1] <= latest:
            return times
        scale /= 2
    room = (latest - start) / (len(steps) + 1)
    return [start + room * (n + 1) for n in range(len(steps))]


def _cast(demo: "Demo", rng: random.Random, scenario: str, channel: str):
    """Who raises the ticket and which story it tells, fitting the lifecycle and channel."""
    need = SCENARIOS[scenario][2]
    if channel == Channel.MONITORING:
        requester = demo.users[rng.choice(SITE_ADMINS)]
        stories = [s for s in STORIES[requester.language] if s.monitoring and story_fits(s, need)]
        if stories:
            return requester, rng.choice(stories), channel
        channel = Channel.PORTAL  # no alert tells this lifecycle: a person raises it
    requester = demo.users[rng.choice(REQUESTERS)]
    stories = [s for s in STORIES[requester.language] if not s.monitoring and story_fits(s, need)]
    return requester, rng.choice(stories), channel


def _text(value: str, ticket_or_site) -> str:
    site = getattr(ticket_or_site, "site", ticket_or_site)
    return value.replace("{site}", site.code if site else "")


def _create(demo: "Demo", rng, i, at, channel, priority, requester: User, story, scenario):
    if requester.role == Role.SITE_ADMIN:
        sites = list(requester.sites.all())
    else:
        sites = [s for s in demo.sites.values() if s.organisation_id == requester.organisation_id]
    site = rng.choice(sites)
    category = demo.categories[story.category]
    if scenario == "open_qualified":  # the requester chose the parent; the front line corrects it
        category = demo.categories[PARENTS[story.category]]
    environment, extra = {}, {}
    if demo.categories[story.category].is_software:
        environment = {
            "steps_to_reproduce": story.steps,
            "url": story.url,
            "software_version": rng.choice(["4.2.1", "4.3.0"]),
            "software_edition": rng.choice(["Retail", "Professional"]),
            "browser": rng.choice(["Firefox 140", "Chrome 142", "Edge 142"]),
            "operating_system": "Windows 11",
        }
    if demo.categories[story.category].extra_fields:
        extra = {"serial": f"CC{rng.randint(100000, 999999)}", "model": "CC-300 3D"}
    actor, kind_kwargs = requester, {}
    if channel == Channel.MONITORING:
        actor = None
    elif channel == Channel.EMAIL:
        actor = None
        kind_kwargs["email"] = services.EmailMeta(
            message_id=f"<demo-{i}@{requester.email.split('@')[1]}>",
            email_from=requester.email,
            email_to="support@ayuda.example",
        )
    elif channel in (Channel.PHONE, Channel.WALK_IN):
        actor = demo.users[rng.choice(FRONT_LINE_AGENTS[requester.language])]
    attachments = []
    if i % 17 == 0 and channel in (Channel.PORTAL, Channel.EMAIL, Channel.CHAT):
        attachments = [IncomingFile(name="screenshot.png", content=PNG)]
    return services.ticket_create(
        requester=requester,
        actor=actor,
        subject=_text(story.subject, site),
        description=_text(story.description, site),
        channel=channel,
        type=story.type,
        category=category,
        priority=priority,
        site=site,
        environment=environment,
        extra=extra,
        attachments=attachments,
        at=at,
        **kind_kwargs,
    )


def _level_2(demo: "Demo", rng, ticket: Ticket, story: Story):
    """The level 2 team the story's category escalates to, and one of its agents (one who
    speaks the requester's language if there is one)."""
    team = demo.categories[story.category].default_team
    if team is None or team.level != Level.L2:
        team = demo.teams["Applications"]
    members = [u for u in demo.users.values() if u.role == Role.AGENT_L2 and team in u.teams.all()]
    speakers = [u for u in members if u.language == ticket.requester.language]
    return team, rng.choice(speakers or members)


def _steps(demo: "Demo", rng, ticket: Ticket, story: Story, scenario: str) -> list[Step]:
    """The steps of ``scenario`` for ``ticket``, each with the kind of wait before it."""
    s, u = services, demo.users
    requester, lang = ticket.requester, ticket.requester.language
    phrases = PHRASES[lang]
    if ticket.channel in (Channel.PHONE, Channel.WALK_IN):
        l1 = ticket.events.get(seq=1).actor  # whoever took the call takes the ticket
    else:
        l1 = u[rng.choice(FRONT_LINE_AGENTS[lang])]
    front = demo.teams[FRONT_LINE]

    def say(text):
        return _text(text, ticket)

    def assign(at):
        s.ticket_assign(ticket=ticket, actor=l1, team=front, owner=l1, at=at)

    def ack(at):
        s.article_add_reply(ticket=ticket, actor=l1, body=phrases["ack"], at=at)

    def ask(at):
        s.article_add_reply(
            ticket=ticket, actor=l1, body=say(story.question), ask_customer=True, at=at
        )

    def answer(at):
        s.article_add_customer(ticket=ticket, author=requester, body=say(story.answer), at=at)

    def resolve(actor):
        return lambda at: s.ticket_resolve(
            ticket=ticket, actor=actor, solution=say(story.solution), at=at
        )

    def close(at):
        s.ticket_close(ticket=ticket, actor=l1, at=at)

    def qualify(at):
        s.ticket_qualify(
            ticket=ticket,
            actor=l1,
            category=demo.categories[story.category],
            type=story.type,
            priority=ticket.priority,
            at=at,
        )
        s.article_add_note(ticket=ticket, actor=l1, body=phrases["recategorised"], at=at)

    def visit(at):
        team = demo.teams[FIELD_SERVICE]
        s.ticket_forward(ticket=ticket, actor=l1, team=team, reason=say(story.visit), at=at)

    def to_vendor(at):
        s.ticket_escalate_to_vendor(
            ticket=ticket,
            actor=l1,
            vendor=demo.vendor,
            reason=phrases["to_vendor"],
            reference=f"CC-{rng.randint(100000, 999999)}",
            at=at,
        )

    def vendor_note(at):
        s.article_add_note(ticket=ticket, actor=u["countco"], body=VENDOR_NOTE, at=at)

    def vendor_back(at):
        s.ticket_hand_back(ticket=ticket, actor=u["countco"], answer=story.vendor_answer, at=at)

    team_2, l2 = _level_2(demo, rng, ticket, story) if story.escalation else (None, None)

    def escalate(mode):
        return lambda at: s.ticket_escalate(
            ticket=ticket, actor=l1, team=team_2, mode=mode, reason=say(story.escalation), at=at
        )

    def l2_take(at):
        s.ticket_assign(ticket=ticket, actor=l2, team=team_2, owner=l2, at=at)

    def l2_note(at):
        s.article_add_note(ticket=ticket, actor=l2, body=say(story.l2_note), at=at)

    def l2_back(at):
        s.ticket_hand_back(ticket=ticket, actor=l2, answer=say(story.hand_back), at=at)

    def reopen(at):
        s.article_add_customer(ticket=ticket, author=requester, body=phrases["reopen"], at=at)

    talk = [("work", ask), ("customer", answer)] if rng.random() < 0.6 else [("work", ack)]
    take = [("pickup", assign)]
    transfer = [("work", escalate(EscalationMode.TRANSFER)), ("level2", l2_take)]
    referral = [("work", escalate(EscalationMode.REFERRAL)), ("level2", l2_note)]
    vendor = [("work", to_vendor), ("level2", vendor_note)]
    resolved = [*take, *talk, ("work", resolve(l1))]
    return {
        "new": [],
        "open": [*take, ("work", ack)],
        "open_qualified": [*take, ("work", qualify)],
        "pending_customer": [*take, ("work", ask)],
        "customer_answered": [*take, ("work", ask), ("customer", answer)],
        "forwarded": [*take, ("work", ask), ("customer", answer), ("work", visit)],
        "contact_resolved": [("contact", assign), ("contact", resolve(l1))],
        "escalated_transfer": [*take, *talk, *transfer, ("work", l2_note)],
        "escalated_referral": [*take, *talk, *referral],
        "resolved_by_l2": [*take, *transfer, ("work", l2_note), ("work", resolve(l2))],
        "closed_after_referral": [
            *take,
            *talk,
            *referral,
            ("work", l2_back),
            ("work", resolve(l1)),
            ("close", close),
        ],
        "pending_vendor": [*take, ("work", ask), ("customer", answer), *vendor],
        "vendor_answered": [*take, *vendor, ("vendor", vendor_back)],
        "closed_after_vendor": [
            *take,
            *vendor,
            ("vendor", vendor_back),
            ("work", resolve(l1)),
            ("close", close),
        ],
        "resolved": resolved,
        "closed": [*resolved, ("close", close)],
        "reopened": [*resolved, ("reopen", reopen)],
    }[scenario]
