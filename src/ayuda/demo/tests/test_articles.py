"""The demo's knowledge base: translated families, internal articles, one in review, and a
second load that changes nothing."""

import pytest

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import user_make
from ayuda.demo.articles import ARTICLES, articles_load
from ayuda.knowledge.models import ArticleStatus, KbArticle, Visibility
from ayuda.tickets.tests.factories import category_make

pytestmark = pytest.mark.django_db


def test_the_demo_articles_load_once():
    # given: the demo's writers and reviewer, and its categories
    user_make(role=Role.MANAGER, username="manager")
    for name, role in (
        ("lucia", Role.AGENT_L1),
        ("marco", Role.AGENT_L1),
        ("javier", Role.AGENT_L2),
        ("giulia", Role.AGENT_L2),
    ):
        user_make(role=role, username=name)
    for spec in ARTICLES:
        category_make(name=spec[0])

    # when
    created = articles_load()
    again = articles_load()

    # then
    expected = sum(len(spec[4]) for spec in ARTICLES)
    assert created == expected >= 12 and again == 0
    assert KbArticle.objects.count() == expected
    assert set(KbArticle.objects.values_list("language", flat=True)) == {"es", "it", "en"}
    families = KbArticle.objects.values("family").distinct().count()
    assert families == len(ARTICLES) < expected  # some are translated
    assert KbArticle.objects.filter(visibility=Visibility.INTERNAL).count() >= 2
    assert KbArticle.objects.filter(status=ArticleStatus.REVIEW).count() == 1
    assert not KbArticle.objects.filter(category__isnull=True).exists()
