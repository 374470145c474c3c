"""The demo's device categories get a real guide in three languages, once."""

import pytest
from django.utils import translation

from ayuda.demo.guides import GUIDES, guides_load
from ayuda.knowledge.models import Guide, GuideQuestion
from ayuda.knowledge.selectors import guide_for_category
from ayuda.tickets.models import Category

pytestmark = pytest.mark.django_db


def test_the_demo_guides_load_once_on_existing_or_new_categories():
    existing = Category.objects.create(name="No traffic counted")

    assert guides_load() == len(GUIDES)
    assert guides_load() == 0

    assert Guide.objects.count() == len(GUIDES)
    assert Guide.objects.get(category__name="No traffic counted").category == existing
    assert Category.objects.filter(name="No traffic counted").count() == 1
    for question in GuideQuestion.objects.all():
        assert set(question.label_i18n) == {"es", "it"}
        question.full_clean()


def test_every_category_the_demo_scan_raises_incidents_in_has_its_guide():
    from ayuda.demo.data.health import HEALTH_CATEGORIES, SCAN_RULES

    assert {name for name, *_rest in HEALTH_CATEGORIES} == set(GUIDES)
    assert {rule["category"] for rule in SCAN_RULES} == set(GUIDES)


def test_the_offline_guide_reads_in_spanish():
    guides_load()
    guide = guide_for_category(Category.objects.get(name="Device offline").pk)
    with translation.override("es"):
        labels = [q.display_label for q in guide.questions.all()]
        cable = guide.questions.get(key="cable").display_choices()
    assert labels[0] == "¿El dispositivo tiene corriente (su luz está encendida)?"
    assert cable[1] == ("Unplugged", "Desconectado")
