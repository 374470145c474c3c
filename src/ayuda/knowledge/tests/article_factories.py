"""Articles made through the services, in any state of the workflow."""

from ayuda.knowledge.articles import article_create, article_publish, article_submit
from ayuda.knowledge.models import KbArticle, Visibility


def article_make(
    desk,
    *,
    title: str = "Printer shows E42",
    body: str = "<p>Open the cover and remove the jammed paper.</p>",
    language: str = "en",
    visibility: str = Visibility.PUBLIC,
    published: bool = True,
    category=None,
    author=None,
    **kwargs,
) -> KbArticle:
    """An article by ``desk.agent_l1``; published by ``desk.manager`` unless told not to."""
    author = author or desk.agent_l1
    article = article_create(
        actor=author,
        title=title,
        body=body,
        language=language,
        visibility=visibility,
        category=category,
        **kwargs,
    )
    if published:
        article = article_submit(article=article, actor=author)
        article = article_publish(article=article, actor=desk.manager)
    return article
