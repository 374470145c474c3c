"""Knowledge-base articles (R17): by category, draft -> review -> published, every saved
version kept, translations linked across languages, internal (agents) or public (portal).

A set of translations shares one ``family``: one article per language in a family. The body
is HTML sanitised on the way in (``knowledge.articles.body_clean``), so it renders as stored.
``ArticleFeedback`` counts what the portal's suggestions and article pages achieve (R7).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Visibility(models.TextChoices):
    INTERNAL = "internal", _("Agents only")
    PUBLIC = "public", _("Public (portal)")


class KbArticle(models.Model):
    family = models.UUIDField(
        _("translation family"),
        default=uuid.uuid4,
        help_text=_("Translations of one article share it: one article per language."),
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    category = models.ForeignKey(
        "tickets.Category",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kb_articles",
        verbose_name=_("category"),
    )
    title = models.CharField(_("title"), max_length=300)
    summary = models.CharField(
        _("summary"), max_length=500, blank=True, help_text=_("One or two sentences.")
    )
    body = models.TextField(_("text"))
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    # The number of the newest ArticleVersion: every saved change of text adds one.
    version = models.PositiveIntegerField(_("version"), default=1)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    # R19: the resolved ticket whose solution the article was drafted from.
    source_ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kb_articles",
        verbose_name=_("drafted from ticket"),
    )
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["family", "language"], name="kb_one_per_language"),
        ]
        indexes = [
            # The portal's and the workspace's lists: published, by language and category.
            models.Index(
                fields=["language", "visibility", "category"],
                condition=Q(status="published"),
                name="kb_published",
            ),
            models.Index(fields=["status", "updated_at"], name="kb_status_updated"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED

    @property
    def is_public(self) -> bool:
        return self.is_published and self.visibility == Visibility.PUBLIC


class ArticleVersion(models.Model):
    """The text of one saved version of an article, kept for good."""

    article = models.ForeignKey(
        KbArticle, on_delete=models.CASCADE, related_name="versions", verbose_name=_("article")
    )
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=300)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    body = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=10, choices=ArticleStatus.choices)
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("edited by"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("saved"))

    class Meta:
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="kb_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


class FeedbackOutcome(models.TextChoices):
    SUGGESTED = "suggested", _("Opened from a suggestion")
    HELPED = "helped", _("Solved the problem")
    NOT_HELPED = "not_helped", _("Opened a ticket anyway")


class ArticleFeedback(models.Model):
    """One requester's step with an article in the portal: opened from the suggestions while
    typing, said it solved the problem (a deflected ticket), or went on to open a ticket."""

    article = models.ForeignKey(
        KbArticle, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("article")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=FeedbackOutcome.choices)
    query = models.CharField(_("searched for"), max_length=200, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ticket opened"),
    )
    created_at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("article feedback")
        verbose_name_plural = _("article feedback")
        indexes = [models.Index(fields=["article", "outcome"], name="kb_feedback_outcome")]

    def __str__(self) -> str:
        return f"{self.article_id} {self.outcome}"
