"""What ``bench_queue.py`` measures: the queue (selector and view), deep pages, search, the
ticket page and ticket creation in one and in several processes."""

import multiprocessing
import statistics
import time
from urllib.parse import urlencode

from measure import explain, fmt, plan_uses, summary, timed


class Bench:
    def __init__(self, args):
        self.args = args
        from django.test import Client
        from django.urls import NoReverseMatch, reverse

        from ayuda.accounts.models import Role, Team, User

        self.agent, _ = User.objects.get_or_create(
            username="bench.agent", defaults={"role": Role.AGENT_L1, "email": "bench@ayuda.example"}
        )
        self.team = Team.objects.get(name="Bulk Service Desk North")
        self.agent.teams.add(self.team)
        self.client = Client()
        self.client.force_login(self.agent)
        try:
            self.queue_url = reverse("agent:queue")
        except NoReverseMatch:
            self.queue_url = None
        try:
            reverse("agent:ticket", args=[1])
            self.has_detail = True
        except NoReverseMatch:
            self.has_detail = False

    # Queue -------------------------------------------------------------------------------

    def deep_cursor(self, from_end: int) -> str | None:
        from ayuda.tickets.models import ACTIVE, Ticket
        from ayuda.tickets.selectors import cursor_encode

        active = Ticket.objects.filter(ACTIVE).count()
        offset = max(0, active - from_end)
        row = (
            Ticket.objects.filter(ACTIVE)
            .order_by("created_at", "id")
            .values_list("pk", "created_at")[offset : offset + 1]
        )
        row = list(row)
        if not row:
            return None
        return cursor_encode(Ticket(pk=row[0][0], created_at=row[0][1]))

    def queue_cases(self) -> dict:
        from ayuda.accounts.models import Site
        from ayuda.tickets.models import Category

        category = Category.objects.filter(name="Printer").first()
        site = Site.objects.filter(organisation__name="Bulk Org 01").order_by("pk").first()
        cases = {
            "first page (active, oldest first)": {},
            "team + level 1": {"team": self.team.pk, "level": "1"},
            "state open": {"status": "open"},
            "category": {"category": category.pk if category else None},
            "site": {"site": site.pk if site else None},
            "owner: unassigned": {"owner": "none"},
            "channel phone": {"channel": "phone"},
            "type improvement": {"type": "improvement"},
            "team + level 1 + unassigned": {"team": self.team.pk, "level": "1", "owner": "none"},
            "rare: channel api + type problem + level vendor": {
                "channel": "api",
                "type": "problem",
                "level": "vendor",
            },
            "newest first": {"order": "newest"},
        }
        deep = self.deep_cursor(60)
        if deep:
            cases["deep page (cursor 60 from the end)"] = {"cursor": deep}
        middle = self.deep_cursor(self.active_count() // 2)
        if middle:
            cases["middle page (cursor halfway)"] = {"cursor": middle}
        return cases

    def active_count(self) -> int:
        from ayuda.tickets.models import ACTIVE, Ticket

        return Ticket.objects.filter(ACTIVE).count()

    def selector_call(self, params: dict):
        from ayuda.tickets.selectors import QueueFilters, ticket_queue

        params = dict(params)
        cursor = params.pop("cursor", None)
        filters = QueueFilters(**{k: v for k, v in params.items() if v is not None})
        return lambda: ticket_queue(user=self.agent, filters=filters, cursor=cursor)

    def view_call(self, params: dict):
        query = urlencode({k: v for k, v in params.items() if v is not None})
        url = f"{self.queue_url}?{query}" if query else self.queue_url

        def get():
            response = self.client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        return get

    def measure_queue(self, reps: int) -> dict:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        out = {}
        for name, params in self.queue_cases().items():
            selector = self.selector_call(params)
            case = {"selector": timed(selector, reps), "plan": explain(selector)}
            case["plan_uses"] = plan_uses(case["plan"])
            if self.queue_url:
                view = self.view_call(params)
                case["view"] = timed(view, reps)
                with CaptureQueriesContext(connection) as ctx:
                    view()
                case["view_queries"] = len(ctx.captured_queries)
            out[name] = case
            print(
                f"    {name:<38} selector {fmt(case['selector'])}"
                + (
                    f"   view {fmt(case['view'])} ({case['view_queries']} queries)"
                    if "view" in case
                    else ""
                )
                + f"   [{case['plan_uses']}]",
                flush=True,
            )
        return out

    def follow_cursors(self, pages: int) -> dict:
        """Walk the queue page after page by its cursors; time every page."""
        from ayuda.tickets.selectors import QueueFilters, ticket_queue

        filters = QueueFilters()
        cursor, samples = None, []
        for _ in range(pages):
            started = time.perf_counter()
            page = ticket_queue(user=self.agent, filters=filters, cursor=cursor)
            samples.append((time.perf_counter() - started) * 1000)
            cursor = page.next_cursor
            if cursor is None:
                break
        result = summary(samples)
        result["pages"] = len(samples)
        result["first_ms"] = round(samples[0], 2)
        result["last_ms"] = round(samples[-1], 2)
        result["last_cursor"] = cursor
        print(
            f"    followed {len(samples)} pages: {fmt(result)}, first {result['first_ms']} ms, "
            f"last {result['last_ms']} ms",
            flush=True,
        )
        return result

    def measure_search(self, reps: int) -> dict:
        """Keyword search (subject contains): informational, the queue's weak spot."""
        out = {}
        for name, q in (("search, common word", "printer"), ("search, absent word", "zzzqx")):
            selector = self.selector_call({"q": q})
            case = {"selector": timed(selector, reps, warmup=1), "plan": explain(selector)}
            case["plan_uses"] = plan_uses(case["plan"])
            out[name] = case
            print(
                f"    {name:<38} selector {fmt(case['selector'])}   [{case['plan_uses']}]",
                flush=True,
            )
        return out

    # Ticket page ---------------------------------------------------------------------------

    def measure_detail(self, reps: int) -> dict:
        if not self.has_detail:
            return {"skipped": "no agent:ticket view"}
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from django.urls import reverse

        from ayuda.tickets.models import Ticket

        small = Ticket.objects.order_by("pk").first()
        big = self.busy_ticket()
        out = {}
        for name, ticket in (("1 message", small), ("busy (12 messages)", big)):
            url = reverse("agent:ticket", args=[ticket.pk])

            def get(url=url):
                response = self.client.get(url)
                assert response.status_code == 200, (url, response.status_code)

            get()  # the select-box lists are cached from the second request on
            with CaptureQueriesContext(connection) as ctx:
                get()
            out[name] = {"queries": len(ctx.captured_queries), "view": timed(get, reps)}
            print(
                f"    ticket page, {name:<24} {out[name]['queries']} queries, "
                f"{fmt(out[name]['view'])}",
                flush=True,
            )
        return out

    def busy_ticket(self):
        from ayuda.accounts.models import User
        from ayuda.tickets import services

        requester = User.objects.filter(username__startswith="bulk.req.").order_by("pk").first()
        ticket = services.ticket_create(
            requester=requester,
            actor=requester,
            subject="Bench: a ticket with many messages",
            description="The card reader rejects every card.",
            channel="portal",
        )
        services.ticket_assign(ticket=ticket, actor=self.agent, team=self.team, owner=self.agent)
        for i in range(5):
            services.article_add_reply(ticket=ticket, actor=self.agent, body=f"Reply {i}")
            services.article_add_customer(ticket=ticket, author=requester, body=f"Answer {i}")
        services.article_add_note(ticket=ticket, actor=self.agent, body="Internal note")
        return ticket

    # Creation ------------------------------------------------------------------------------

    def measure_create(self, count: int, processes: int) -> dict:
        from django.db import connections

        single = create_tickets(0, count, None)
        rate1 = single["count"] / (single["end"] - single["start"])
        print(
            f"    ticket_create, 1 process: {rate1:,.0f} tickets/s "
            f"(p50 {single['p50']} ms, p95 {single['p95']} ms)",
            flush=True,
        )
        out = {
            "1 process": {"tickets_per_s": round(rate1), "p50": single["p50"], "p95": single["p95"]}
        }
        if processes > 1:
            connections.close_all()
            ctx = multiprocessing.get_context("fork")
            go, results = ctx.Event(), ctx.Queue()
            workers = [
                ctx.Process(target=create_worker, args=(i + 1, count // processes, go, results))
                for i in range(processes)
            ]
            for worker in workers:
                worker.start()
            time.sleep(1.0)  # let every child connect and load its requesters
            go.set()
            done = [results.get(timeout=3600) for _ in workers]
            for worker in workers:
                worker.join()
            total = sum(d["count"] for d in done)
            span = max(d["end"] for d in done) - min(d["start"] for d in done)
            rate = total / span
            p50 = round(statistics.median(d["p50"] for d in done), 2)
            p95 = round(max(d["p95"] for d in done), 2)
            print(
                f"    ticket_create, {processes} processes: {rate:,.0f} tickets/s "
                f"(p50 {p50} ms, worst p95 {p95} ms)",
                flush=True,
            )
            out[f"{processes} processes"] = {"tickets_per_s": round(rate), "p50": p50, "p95": p95}
        return out


def create_worker(worker: int, count: int, go, results) -> None:
    results.put(create_tickets(worker, count, go))


def create_tickets(worker: int, count: int, go) -> dict:
    """Create ``count`` portal tickets through the service, one transaction each."""
    from django.db import connections

    from ayuda.accounts.models import User
    from ayuda.tickets import services
    from ayuda.tickets.models import Category

    if go is not None:
        connections.close_all()  # a forked child must not share the parent's connection
    requesters = list(User.objects.filter(username__startswith="bulk.req.").order_by("pk")[:50])
    category = Category.objects.filter(name="Printer").first()
    if go is not None:
        go.wait()
    samples = []
    start = time.perf_counter()
    for i in range(count):
        requester = requesters[(worker * 7 + i) % len(requesters)]
        t0 = time.perf_counter()
        services.ticket_create(
            requester=requester,
            actor=requester,
            subject=f"Bench ticket {worker}-{i}: receipt printer jams",
            description="The receipt printer jams after every second receipt.",
            channel="portal",
            category=category,
        )
        samples.append((time.perf_counter() - t0) * 1000)
    end = time.perf_counter()
    s = summary(samples)
    connections.close_all()
    # perf_counter is system-wide on Linux (CLOCK_MONOTONIC), so processes can be compared.
    return {"count": count, "start": start, "end": end, "p50": s["p50"], "p95": s["p95"]}
