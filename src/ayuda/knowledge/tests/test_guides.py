"""Guides (R14): configuration checks, answers by type, the history, recategorising."""

import pytest
from django.core.exceptions import ValidationError as ModelValidationError
from django.utils import translation

from ayuda.core.errors import PermissionDeniedError, ValidationError
from ayuda.knowledge.models import GuideAnswers, GuideQuestion, QuestionKind
from ayuda.knowledge.selectors import ticket_guide
from ayuda.knowledge.services import AnswersInvalid, guide_answers_save
from ayuda.tickets import services
from ayuda.tickets.models import EventAction, TicketEvent
from ayuda.tickets.tests.factories import category_make, desk_make, footprint

from .factories import guide_make, guided_ticket

pytestmark = pytest.mark.django_db

GOOD = {"powered": "yes", "cable": "unplugged", "people": "12", "notes": "Works at night."}


def test_a_choice_question_needs_two_distinct_choices_and_translations_line_by_line():
    guide = guide_make()
    question = GuideQuestion(guide=guide, key="x", kind=QuestionKind.CHOICE, label="X")
    with pytest.raises(ModelValidationError) as error:
        question.full_clean()
    assert "choices" in error.value.message_dict
    question.choices = "a\na"
    with pytest.raises(ModelValidationError):
        question.full_clean()
    question.choices, question.choices_i18n = "a\nb", {"es": "solo una"}
    with pytest.raises(ModelValidationError) as error:
        question.full_clean()
    assert "es" in error.value.message_dict["choices"][0]
    question.choices_i18n = {"es": "una\ndos"}
    question.full_clean()  # fine now


def test_only_a_choice_question_has_choices():
    guide = guide_make()
    question = GuideQuestion(
        guide=guide, key="y", kind=QuestionKind.TEXT, label="Y", choices="a\nb"
    )
    with pytest.raises(ModelValidationError) as error:
        question.full_clean()
    assert "choices" in error.value.message_dict


def test_answers_are_stored_by_type_and_recorded_in_the_history():
    desk = desk_make()
    ticket, guide = guided_ticket(desk)
    seq = ticket.history_seq

    row = guide_answers_save(ticket=ticket, actor=desk.agent_l1, answers=GOOD)

    assert row.answers == {
        "powered": "yes",
        "cable": "unplugged",
        "people": 12,
        "notes": "Works at night.",
    }
    event = TicketEvent.objects.get(ticket=ticket, seq=seq + 1)
    assert event.action == EventAction.GUIDE_ANSWERED
    assert event.actor_id == desk.agent_l1.pk
    assert event.data["answers"] == row.answers
    assert event.data["guide_id"] == guide.pk


def test_saving_the_same_answers_again_records_nothing():
    desk = desk_make()
    ticket, _guide = guided_ticket(desk)
    guide_answers_save(ticket=ticket, actor=desk.agent_l1, answers=GOOD)
    ticket.refresh_from_db()
    before = footprint(ticket)
    guide_answers_save(ticket=ticket, actor=desk.agent_l1, answers=GOOD)
    ticket.refresh_from_db()
    assert footprint(ticket) == before


@pytest.mark.parametrize(
    ("answers", "key", "message"),
    [
        ({"cable": "plugged"}, "powered", "This question needs an answer."),
        ({"powered": "maybe"}, "powered", "Answer yes or no."),
        ({"powered": "no", "cable": "cut"}, "cable", "Choose one of the choices offered."),
        ({"powered": "no", "people": "twelve"}, "people", "Enter a number, such as 12 or 3.5."),
        ({"powered": "no", "people": "1e400"}, "people", "Enter a number, such as 12 or 3.5."),
        ({"powered": "no", "notes": "x" * 2001}, "notes", "Keep the answer under 2000"),
    ],
)
def test_bad_answers_are_refused_with_a_message_per_question_and_change_nothing(
    answers, key, message
):
    desk = desk_make()
    ticket, _guide = guided_ticket(desk)
    before = footprint(ticket)
    with pytest.raises(AnswersInvalid) as error:
        guide_answers_save(ticket=ticket, actor=desk.agent_l1, answers=answers)
    assert error.value.errors[key].startswith(message)
    ticket.refresh_from_db()
    assert footprint(ticket) == before
    assert not GuideAnswers.objects.exists()


def test_errors_are_translated():
    desk = desk_make()
    ticket, _guide = guided_ticket(desk)
    with translation.override("es"), pytest.raises(AnswersInvalid) as error:
        guide_answers_save(ticket=ticket, actor=desk.agent_l1, answers={"powered": "maybe"})
    assert error.value.errors["powered"] == "Responda sí o no."


def test_a_decimal_comma_is_a_number():
    desk = desk_make()
    ticket, _guide = guided_ticket(desk)
    row = guide_answers_save(
        ticket=ticket, actor=desk.agent_l1, answers={"powered": "yes", "people": "3,5"}
    )
    assert row.answers["people"] == 3.5


def test_a_category_without_guide_takes_no_answers():
    desk = desk_make()
    from ayuda.tickets.tests.factories import ticket_make

    ticket = ticket_make(requester=desk.requester, category=category_make(name="Other"))
    with pytest.raises(ValidationError):
        guide_answers_save(ticket=ticket, actor=desk.agent_l1, answers=GOOD)


def test_recategorising_switches_the_guide_and_keeps_the_old_answers():
    desk = desk_make()
    ticket, old_guide = guided_ticket(desk)
    guide_answers_save(ticket=ticket, actor=desk.agent_l1, answers=GOOD)
    new_guide = guide_make(name="No traffic")

    services.ticket_qualify(
        ticket=ticket,
        actor=desk.agent_l1,
        category=new_guide.category,
        type=ticket.type,
        priority=ticket.priority,
    )

    ticket.refresh_from_db()
    view = ticket_guide(ticket=ticket)
    assert view.current.guide == new_guide
    assert [q.display for q in view.current.questions] == ["", "", "", ""]
    assert [p.guide for p in view.previous] == [old_guide]
    assert view.previous[0].answered[0].display == "Yes"
    answered = TicketEvent.objects.filter(ticket=ticket, action=EventAction.GUIDE_ANSWERED)
    assert answered.count() == 1  # still in the history


def test_answers_read_in_the_readers_language():
    desk = desk_make()
    ticket, _guide = guided_ticket(desk)
    guide_answers_save(ticket=ticket, actor=desk.agent_l1, answers=GOOD)
    with translation.override("es"):
        view = ticket_guide(ticket=ticket).current
        labels = [(q.question.display_label, q.display) for q in view.answered]
        steps = [s.display_text for s in view.steps]
    assert labels[0] == ("¿El dispositivo tiene corriente?", "Sí")
    assert labels[1] == ("Network cable", "desconectado")
    assert steps == ["Check the power supply.", "Compruebe el cable de red."]


def test_the_requester_and_the_sites_admin_may_answer_not_others():
    desk = desk_make()
    ticket, _guide = guided_ticket(desk)
    guide_answers_save(ticket=ticket, actor=desk.requester, answers=GOOD)
    guide_answers_save(ticket=ticket, actor=desk.site_admin, answers=GOOD | {"notes": "x"})
    for outsider in (desk.other_site_admin, desk.other_requester, desk.vendor_agent):
        with pytest.raises(PermissionDeniedError):
            guide_answers_save(ticket=ticket, actor=outsider, answers=GOOD)
