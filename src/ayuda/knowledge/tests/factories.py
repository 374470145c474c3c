"""A guide with one question of each kind, and a help desk ticket in its category."""

from ayuda.knowledge.models import Guide, GuideQuestion, GuideStep, QuestionKind
from ayuda.tickets.tests.factories import category_make, ticket_make


def guide_make(*, category=None, name: str = "Offline devices") -> Guide:
    category = category or category_make(name=name)
    guide = Guide.objects.create(category=category, intro="First checks.")
    GuideQuestion.objects.create(
        guide=guide,
        key="powered",
        kind=QuestionKind.YES_NO,
        label="Is the device powered?",
        label_i18n={"es": "¿El dispositivo tiene corriente?", "it": "Il dispositivo è acceso?"},
        required=True,
        position=1,
    )
    GuideQuestion.objects.create(
        guide=guide,
        key="cable",
        kind=QuestionKind.CHOICE,
        label="Network cable",
        choices="plugged\nunplugged\nunknown",
        choices_i18n={"es": "conectado\ndesconectado\nno se sabe"},
        position=2,
    )
    GuideQuestion.objects.create(
        guide=guide, key="people", kind=QuestionKind.NUMBER, label="Visitors today", position=3
    )
    GuideQuestion.objects.create(
        guide=guide, key="notes", kind=QuestionKind.TEXT, label="Anything else?", position=4
    )
    GuideStep.objects.create(guide=guide, text="Check the power supply.", position=1)
    GuideStep.objects.create(
        guide=guide,
        text="Check the network cable.",
        text_i18n={"es": "Compruebe el cable de red."},
        position=2,
    )
    return guide


def guided_ticket(desk, *, guide=None, **kwargs):
    """A ticket of ``desk.requester`` on ``desk.site`` in the guide's category."""
    guide = guide or guide_make()
    kwargs.setdefault("site", desk.site)
    return ticket_make(requester=desk.requester, category=guide.category, **kwargs), guide
