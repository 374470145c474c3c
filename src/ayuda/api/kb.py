"""Knowledge-base articles over the API (R17; docs/knowledge.md, "Articles"): what the caller
may read (the help desk every published article, everyone else the public ones), and drafts
written by the help desk. The same selectors and services as the pages."""

from datetime import datetime
from urllib.parse import urlencode

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from ayuda.accounts.models import User
from ayuda.core.errors import ValidationError
from ayuda.knowledge.articles import article_create
from ayuda.knowledge.models import KbArticle, Visibility
from ayuda.knowledge.search import article_search, articles_for
from ayuda.tickets.models import Category

from .problems import ERRORS, WRITE_ERRORS
from .schemas import Id, PathId

router = Router(tags=["knowledge base"])


class ArticleLine(Schema):
    id: int
    title: str
    summary: str
    language: str
    category_id: int | None
    visibility: str = Field(description="internal (agents) or public (portal)")
    status: str
    version: int
    updated_at: datetime
    score: float | None = Field(None, description="With `q`: the search's score, 0 to 1.")


class ArticleOut(ArticleLine):
    body: str = Field(description="Sanitised HTML.")
    family: str = Field(description="Translations of one article share it.")
    translations: dict[str, int] = Field(description="Other languages: article id by language.")
    published_at: datetime | None


class ArticlePage(Schema):
    items: list[ArticleLine]
    next: str | None = Field(description="The next page's URL; null on the last page.")


class ArticleQuery(Schema):
    q: str = Field("", max_length=200, description="Full-text search of published articles.")
    language: str = Field("", max_length=8)
    category: int | None = Field(None, ge=1)
    cursor: int | None = Field(None, ge=1, description="From `next`.")
    limit: int = Field(30, ge=1, le=100)


class ArticleIn(Schema):
    title: str = Field(max_length=300)
    summary: str = Field("", max_length=500)
    body: str = Field(description="HTML; sanitised when stored.")
    language: str = Field(max_length=8)
    category_id: Id | None = None
    visibility: str = Field(Visibility.INTERNAL, description="internal or public")


def _line(article: KbArticle, score: float | None = None) -> dict:
    return {
        "id": article.pk,
        "title": article.title,
        "summary": article.summary,
        "language": article.language,
        "category_id": article.category_id,
        "visibility": article.visibility,
        "status": article.status,
        "version": article.version,
        "updated_at": article.updated_at,
        "score": score,
    }


def _readable(user: User):
    """Published articles only over the API; the help desk reads the internal ones too."""
    return articles_for(user, portal=not user.is_helpdesk)


@router.get(
    "/articles",
    response={200: ArticlePage, **ERRORS},
    url_name="kb_articles",
    summary="List or search the articles the caller may read",
    description="Published articles: public ones for customers and vendors, internal ones "
    "too for the help desk. With `q`, the best matches first (one page); without, by id.",
)
def articles_list(request, query: Query[ArticleQuery]):
    user: User = request.auth
    if query.q.strip():
        hits = article_search(
            user=user,
            query=query.q,
            portal=not user.is_helpdesk,
            language=query.language or None,
            category_id=query.category,
            limit=query.limit,
        )
        return {"items": [_line(h.article, h.score) for h in hits], "next": None}
    articles = _readable(user).order_by("pk")
    if query.language:
        articles = articles.filter(language=query.language)
    if query.category:
        articles = articles.filter(category_id=query.category)
    if query.cursor:
        articles = articles.filter(pk__gt=query.cursor)
    rows = list(articles[: query.limit + 1])
    following = None
    if len(rows) > query.limit:
        rows = rows[: query.limit]
        params = {k: v for k, v in query.dict().items() if v not in ("", None)}
        params["cursor"] = rows[-1].pk
        following = reverse("api-v1:kb_articles") + "?" + urlencode(params)
    return {"items": [_line(a) for a in rows], "next": following}


def _full(article: KbArticle, user: User) -> dict:
    others = _readable(user).filter(family=article.family).exclude(pk=article.pk)
    return _line(article) | {
        "body": article.body,
        "family": str(article.family),
        "translations": dict(others.values_list("language", "pk")),
        "published_at": article.published_at,
    }


@router.get(
    "/articles/{article_id}",
    response={200: ArticleOut, **ERRORS},
    url_name="kb_article",
    summary="Read an article",
    description="404 for an article the caller may not read (internal, or not published).",
)
def article_get(request, article_id: PathId):
    user: User = request.auth
    article = _readable(user).filter(pk=article_id).first()
    if article is None:
        raise Http404
    return _full(article, user)


@router.post(
    "/articles",
    response={201: ArticleOut, **WRITE_ERRORS},
    url_name="kb_articles",
    summary="Write a draft article",
    description="Help desk only. The body is sanitised; the draft goes through review before "
    "anyone outside the help desk reads it.",
)
def article_post(request, payload: ArticleIn):
    user: User = request.auth
    category = None
    if payload.category_id is not None:
        category = Category.objects.filter(pk=payload.category_id).first()
        if category is None:
            raise ValidationError(_("No such category."), field="category_id")
    article = article_create(
        actor=user,
        title=payload.title,
        summary=payload.summary,
        body=payload.body,
        language=payload.language,
        category=category,
        visibility=payload.visibility,
    )
    body = _line(article) | {
        "body": article.body,
        "family": str(article.family),
        "translations": {},
        "published_at": None,
    }
    return Status(201, body)
