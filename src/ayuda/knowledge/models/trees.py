"""Decision trees (R18): yes/no and multiple-choice flowcharts whose leaves are a solution or
"escalate", walked by agents on the phone and by requesters in the portal.

A tree is nodes and choices: a question node has two or more choices, each leading to the next
node; a solution or escalate node is a leaf. Only a tree whose every branch ends in a leaf,
with no cycle, can be published (``knowledge.trees_selectors.tree_check``). Texts are
configured data translated like category names (``core.i18n``). A walk keeps every question
and answer as the walker read them, so it reads the same after the tree is edited.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ayuda.core.i18n import translated

I18N_HELP = _('Translations, one per language: {"es": "…", "it": "…"}.')


class TreeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class TreeAudience(models.TextChoices):
    AGENTS = "agents", _("Agents")
    EVERYONE = "everyone", _("Agents and the portal")


class DecisionTree(models.Model):
    name = models.CharField(_("name"), max_length=200)
    name_i18n = models.JSONField(
        _("name, translated"), default=dict, blank=True, help_text=I18N_HELP
    )
    description = models.TextField(_("description"), blank=True)
    description_i18n = models.JSONField(
        _("description, translated"), default=dict, blank=True, help_text=I18N_HELP
    )
    category = models.ForeignKey(
        "tickets.Category",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decision_trees",
        verbose_name=_("category"),
        help_text=_("Offered for tickets of this category; an escalated walk opens one in it."),
    )
    audience = models.CharField(
        _("who walks it"), max_length=10, choices=TreeAudience.choices, default=TreeAudience.AGENTS
    )
    status = models.CharField(
        _("status"), max_length=10, choices=TreeStatus.choices, default=TreeStatus.DRAFT
    )
    root = models.ForeignKey(
        "TreeNode",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("first question"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("decision tree")
        verbose_name_plural = _("decision trees")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return translated(self.name_i18n, self.name)

    @property
    def display_description(self) -> str:
        return translated(self.description_i18n, self.description)


class NodeKind(models.TextChoices):
    QUESTION = "question", _("Question")
    SOLUTION = "solution", _("Solution")
    ESCALATE = "escalate", _("Escalate")


class TreeNode(models.Model):
    tree = models.ForeignKey(
        DecisionTree, on_delete=models.CASCADE, related_name="nodes", verbose_name=_("tree")
    )
    key = models.SlugField(
        _("key"), max_length=50, help_text=_("A short name for the node, unique in its tree.")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=NodeKind.choices)
    text = models.TextField(
        _("text"), help_text=_("The question, the solution, or why the ticket is escalated.")
    )
    text_i18n = models.JSONField(
        _("text, translated"), default=dict, blank=True, help_text=I18N_HELP
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("node")
        verbose_name_plural = _("nodes")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tree", "key"], name="tree_node_key"),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.text[:60]}"

    @property
    def display_text(self) -> str:
        return translated(self.text_i18n, self.text)

    @property
    def is_leaf(self) -> bool:
        return self.kind != NodeKind.QUESTION


class TreeChoice(models.Model):
    """One answer to a question node ("Yes", "No", "The red light blinks") and where it leads."""

    node = models.ForeignKey(
        TreeNode, on_delete=models.CASCADE, related_name="choices", verbose_name=_("question")
    )
    label = models.CharField(_("answer"), max_length=200)
    label_i18n = models.JSONField(
        _("answer, translated"), default=dict, blank=True, help_text=I18N_HELP
    )
    next_node = models.ForeignKey(
        TreeNode,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incoming",
        verbose_name=_("leads to"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def display_label(self) -> str:
        return translated(self.label_i18n, self.label)


class WalkOutcome(models.TextChoices):
    SOLVED = "solved", _("Solved")
    ESCALATED = "escalated", _("Escalated")
    ABANDONED = "abandoned", _("Abandoned")


class TreeWalk(models.Model):
    """One walk through a tree: each step as the walker read it ({"node", "question",
    "choice", "answer"}), the node it stands on, and how it ended ("" while walking)."""

    tree = models.ForeignKey(
        DecisionTree, on_delete=models.PROTECT, related_name="walks", verbose_name=_("tree")
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tree_walks",
        verbose_name=_("ticket"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("walked by"),
    )
    in_portal = models.BooleanField(_("in the portal"), default=False)
    language = models.CharField(_("language"), max_length=8, blank=True)
    path = models.JSONField(_("answers"), default=list)
    current_node = models.ForeignKey(
        TreeNode,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("at"),
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=WalkOutcome.choices, blank=True)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("decision tree walk")
        verbose_name_plural = _("decision tree walks")
        indexes = [models.Index(fields=["tree", "started_at"], name="tree_walk_started")]

    def __str__(self) -> str:
        return f"{self.tree_id} {self.started_at:%Y-%m-%d %H:%M}"
