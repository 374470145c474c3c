"""Articles over the API: what each caller may read, and drafts by the help desk."""

import pytest

from ayuda.api.tests.helpers import Api, assert_problem
from ayuda.knowledge.models import ArticleStatus, KbArticle, Visibility
from ayuda.tickets.tests.factories import desk_make

from .article_factories import article_make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def desk():
    return desk_make()


def test_customers_read_public_articles_the_help_desk_internal_ones_too(desk):
    public = article_make(desk, title="Printer jam")
    internal = article_make(desk, title="Printer internal", visibility=Visibility.INTERNAL)
    draft = article_make(desk, title="Printer draft", published=False)

    as_requester = Api(desk.requester).get("/kb/articles").json()
    as_agent = Api(desk.agent_l1).get("/kb/articles").json()

    assert [a["id"] for a in as_requester["items"]] == [public.pk]
    assert [a["id"] for a in as_agent["items"]] == [public.pk, internal.pk]
    assert_problem(Api(desk.requester).get(f"/kb/articles/{internal.pk}"), 404, "not-found")
    assert_problem(Api(desk.agent_l1).get(f"/kb/articles/{draft.pk}"), 404, "not-found")
    assert_problem(Api(desk.vendor_agent).get(f"/kb/articles/{internal.pk}"), 404, "not-found")


def test_read_one_article_with_its_translations(desk):
    article = article_make(desk)
    spanish = article_make(desk, language="es", title="Impresora E42", family=article.family)

    body = Api(desk.requester).get(f"/kb/articles/{article.pk}").json()

    assert body["title"] == "Printer shows E42" and "jammed paper" in body["body"]
    assert body["translations"] == {"es": spanish.pk}


def test_search_and_pages(desk):
    for n in range(3):
        article_make(desk, title=f"Printer tip {n}")
    article_make(desk, title="Wi-Fi drops")
    api = Api(desk.requester)

    found = api.get("/kb/articles", {"q": "printer"}).json()
    first = api.get("/kb/articles", {"limit": 2}).json()
    second = api.get(first["next"].removeprefix("/api/v1")).json()

    assert {a["title"] for a in found["items"]} == {
        "Printer tip 0",
        "Printer tip 1",
        "Printer tip 2",
    }
    assert len(first["items"]) == 2 and len(second["items"]) == 2 and second["next"] is None


def test_the_help_desk_writes_a_sanitised_draft_and_customers_cannot(desk):
    payload = {"title": "Toner", "body": "<p>Shake it.</p><script>x()</script>", "language": "en"}

    refused = Api(desk.requester).post("/kb/articles", payload)
    created = Api(desk.agent_l1).post("/kb/articles", payload | {"visibility": "public"})
    bad = Api(desk.agent_l1).post("/kb/articles", payload | {"language": "xx"})

    assert_problem(refused, 403, "forbidden")
    assert created.status_code == 201
    article = KbArticle.objects.get()
    assert article.status == ArticleStatus.DRAFT and "<script" not in article.body
    assert_problem(bad, 422, "validation")
    assert KbArticle.objects.count() == 1
