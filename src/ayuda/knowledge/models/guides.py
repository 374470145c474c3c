"""Category guides (R14) and the actions agents assign to the customer's side (R15).

A category's first-line guide is a questionnaire (ordered questions of four kinds) and ordered
troubleshooting steps; labels, help, choices and steps are configured data translated like
category names (``core.i18n``: the text as typed plus ``<field>_i18n``). A ticket's answers to
a guide are one row per ticket and guide (the current answers); every save is also recorded
in the ticket's history. See docs/knowledge.md.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ayuda.core.i18n import translated

I18N_HELP = _('Translations, one per language: {"es": "…", "it": "…"}.')


class Guide(models.Model):
    category = models.OneToOneField(
        "tickets.Category",
        on_delete=models.CASCADE,
        related_name="guide",
        verbose_name=_("category"),
    )
    intro = models.TextField(
        _("introduction"), blank=True, help_text=_("Shown above the questions.")
    )
    intro_i18n = models.JSONField(
        _("introduction, translated"), default=dict, blank=True, help_text=I18N_HELP
    )
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("category guide")
        verbose_name_plural = _("category guides")

    def __str__(self) -> str:
        return str(self.category)

    @property
    def display_intro(self) -> str:
        return translated(self.intro_i18n, self.intro)


class QuestionKind(models.TextChoices):
    YES_NO = "yes_no", _("Yes or no")
    CHOICE = "choice", _("One of several choices")
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")


def choice_lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class GuideQuestion(models.Model):
    guide = models.ForeignKey(
        Guide, on_delete=models.CASCADE, related_name="questions", verbose_name=_("guide")
    )
    key = models.SlugField(
        _("key"),
        max_length=50,
        help_text=_("A short name the answers are stored under; keep it when you edit the text."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    label = models.CharField(_("question"), max_length=300)
    label_i18n = models.JSONField(
        _("question, translated"), default=dict, blank=True, help_text=I18N_HELP
    )
    help = models.CharField(_("help"), max_length=500, blank=True)
    help_i18n = models.JSONField(
        _("help, translated"), default=dict, blank=True, help_text=I18N_HELP
    )
    choices = models.TextField(
        _("choices"), blank=True, help_text=_("For a choice question: one choice per line.")
    )
    choices_i18n = models.JSONField(
        _("choices, translated"), default=dict, blank=True, help_text=I18N_HELP
    )
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["guide", "key"], name="guide_question_key"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def display_label(self) -> str:
        return translated(self.label_i18n, self.label)

    @property
    def display_help(self) -> str:
        return translated(self.help_i18n, self.help)

    def choice_values(self) -> list[str]:
        """The choices as typed: what the answers store."""
        return choice_lines(self.choices)

    def display_choices(self) -> list[tuple[str, str]]:
        """(stored value, label in the reader's language), in order."""
        values = self.choice_values()
        labels = choice_lines(translated(self.choices_i18n, self.choices))
        if len(labels) != len(values):
            labels = values
        return list(zip(values, labels, strict=True))

    def clean(self) -> None:
        errors = {}
        values = self.choice_values()
        if self.kind == QuestionKind.CHOICE:
            if len(values) < 2:
                errors["choices"] = _("A choice question needs at least two choices.")
            elif len(set(values)) != len(values):
                errors["choices"] = _("Each choice must be different.")
            else:
                for code, text in (self.choices_i18n or {}).items():
                    if len(choice_lines(text)) != len(values):
                        errors["choices"] = _(
                            "The translation “%(code)s” must have one line per choice (%(n)s)."
                        ) % {"code": code, "n": len(values)}
                        break
        elif values:
            errors["choices"] = _("Only a choice question has choices.")
        if errors:
            raise ValidationError(errors)


class GuideStep(models.Model):
    guide = models.ForeignKey(
        Guide, on_delete=models.CASCADE, related_name="steps", verbose_name=_("guide")
    )
    text = models.TextField(_("step"))
    text_i18n = models.JSONField(
        _("step, translated"), default=dict, blank=True, help_text=I18N_HELP
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("troubleshooting step")
        verbose_name_plural = _("troubleshooting steps")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def display_text(self) -> str:
        return translated(self.text_i18n, self.text)


class GuideAnswers(models.Model):
    """A ticket's current answers to one guide ({question key: value}); the history keeps
    every save. A recategorised ticket keeps the answers to its previous category's guide."""

    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.CASCADE,
        related_name="guide_answers",
        verbose_name=_("ticket"),
    )
    guide = models.ForeignKey(
        Guide, on_delete=models.CASCADE, related_name="answers", verbose_name=_("guide")
    )
    answers = models.JSONField(_("answers"), default=dict)
    updated_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    updated_at = models.DateTimeField(_("answered"))

    class Meta:
        verbose_name = _("guide answers")
        verbose_name_plural = _("guide answers")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "guide"], name="guide_answers_once"),
        ]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.guide}"


class ActionKind(models.TextChoices):
    QUESTIONNAIRE = "questionnaire", _("Answer the questionnaire")
    TASK = "task", _("A task to do and confirm")


class AssignedAction(models.Model):
    """Something an agent asks the requester or a site admin of the ticket's site to do (R15)."""

    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.CASCADE,
        related_name="assigned_actions",
        verbose_name=_("ticket"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ActionKind.choices)
    instructions = models.TextField(_("what to do"), blank=True)
    assignee = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="assigned_actions",
        verbose_name=_("assigned to"),
    )
    assigned_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    due_at = models.DateTimeField(_("due"))
    created_at = models.DateTimeField(_("assigned"))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    article = models.ForeignKey(
        "tickets.Article",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("completion message"),
    )
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("assigned action")
        verbose_name_plural = _("assigned actions")
        ordering = ["due_at", "id"]
        indexes = [
            # "My actions": an assignee's open actions by due date.
            models.Index(
                fields=["assignee", "due_at"],
                condition=Q(completed_at__isnull=True),
                name="action_open_assignee",
            ),
            # Overdue markers and the queue filter (by ticket), and the reminder task (by due).
            models.Index(
                fields=["ticket", "due_at"],
                condition=Q(completed_at__isnull=True),
                name="action_open_ticket",
            ),
            models.Index(
                fields=["due_at"],
                condition=Q(completed_at__isnull=True, reminder_sent_at__isnull=True),
                name="action_reminder_due",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.get_kind_display()}"

    @property
    def is_open(self) -> bool:
        return self.completed_at is None
