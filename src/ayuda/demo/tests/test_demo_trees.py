"""The demo's decision trees (R18) pass the publishing check, read in three languages, and
load once."""

import pytest
from django.utils import translation

from ayuda.demo.trees import TREES, trees_load
from ayuda.knowledge.models import DecisionTree, TreeAudience, TreeStatus
from ayuda.knowledge.trees_selectors import tree_check, trees_for_portal

pytestmark = pytest.mark.django_db


def test_the_demo_trees_are_published_translated_and_loaded_once():
    # when
    created = trees_load()
    again = trees_load()
    # then
    assert (created, again) == (len(TREES), 0)
    trees = list(DecisionTree.objects.order_by("name"))
    assert all(t.status == TreeStatus.PUBLISHED and tree_check(t) == [] for t in trees)
    assert [t.name for t in trees_for_portal()] == ["Printer does not print"]
    counter = DecisionTree.objects.get(audience=TreeAudience.AGENTS)
    assert counter.root.choices.count() == 3  # a multiple-choice question
    for language, word in (("es", "impresora"), ("it", "stampante")):
        with translation.override(language):
            printer = DecisionTree.objects.get(audience=TreeAudience.EVERYONE)
            assert word in printer.display_name.lower()
            assert all(n.text_i18n.get(language) for n in printer.nodes.all())
