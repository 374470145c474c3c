"""Published (or not) articles, indexed for search, without the article services."""

from django.utils import timezone

from ayuda.knowledge.models import ArticleStatus, KbArticle, Visibility
from ayuda.knowledge.search import article_index


def article_make(
    title: str,
    body: str = "<p>Texto.</p>",
    *,
    language: str = "es",
    summary: str = "",
    visibility: str = Visibility.PUBLIC,
    status: str = ArticleStatus.PUBLISHED,
) -> KbArticle:
    now = timezone.now()
    article = KbArticle.objects.create(
        language=language,
        title=title,
        summary=summary,
        body=body,
        visibility=visibility,
        status=status,
        created_at=now,
        updated_at=now,
        published_at=now if status == ArticleStatus.PUBLISHED else None,
    )
    article_index(article)
    return article
