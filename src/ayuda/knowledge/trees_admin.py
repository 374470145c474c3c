"""The decision-tree editor (R18) in the Django admin.

A tree's page edits its names and its nodes (inline); each node's own page edits its answers
and where each leads (a nested inline is not built in: the node list links to each node). The
tree's page also shows the whole tree read-only, from the first question down, with the nodes
no answer reaches and what ``tree_check`` finds. Publishing and archiving are list actions
that go through ``tree_publish``/``tree_archive``; the status is never typed. Saving a
published tree that no longer passes the check sends it back to draft (``tree_edited``)."""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ayuda.core.admin import TranslationsAdmin, translations_form

from .models import DecisionTree, NodeKind, TreeChoice, TreeNode, TreeStatus, TreeWalk
from .trees_selectors import OutlineNode, tree_outline
from .trees_services import TreeProblems, tree_archive, tree_edited, tree_publish

MEDIA_CSS = {"all": ["web/admin_trees.css"]}


def _object_id(request) -> int | None:
    match = getattr(request, "resolver_match", None)
    raw = match.kwargs.get("object_id") if match else None
    return int(raw) if raw and str(raw).isdigit() else None


class NodeInline(admin.TabularInline):
    """One row per node (its answers on its own page: the "Change" link)."""

    model = TreeNode
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}
    form = translations_form(TreeNode, ("text",))
    exclude = ["text_i18n"]
    extra = 1
    ordering = ["position", "id"]
    show_change_link = True  # the node's page edits its answers


@admin.register(DecisionTree)
class DecisionTreeAdmin(TranslationsAdmin):
    translated_fields = ("name", "description")
    form = translations_form(DecisionTree, translated_fields)
    exclude = ["name_i18n", "description_i18n"]
    readonly_fields = ["status", "published_at", "outline"]
    list_display = ["name", "category", "audience", "status", "published_at"]
    list_filter = ["status", "audience", "category"]
    search_fields = ["name"]
    inlines = [NodeInline]
    actions = ["publish", "archive"]

    class Media:
        css = MEDIA_CSS

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "root":
            kwargs["queryset"] = TreeNode.objects.filter(
                tree_id=_object_id(request), kind=NodeKind.QUESTION
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        was_published = form.instance.status == TreeStatus.PUBLISHED
        problems = tree_edited(tree=form.instance)
        if problems and was_published:
            messages.warning(
                request,
                _("The tree went back to draft: %(problems)s") % {"problems": " ".join(problems)},
            )

    @admin.action(description=gettext_lazy("Publish the chosen trees"))
    def publish(self, request, queryset):
        for tree in queryset:
            try:
                tree_publish(tree=tree)
            except TreeProblems as error:
                messages.error(
                    request,
                    _("“%(tree)s” was not published: %(problems)s")
                    % {"tree": tree.name, "problems": " ".join(error.problems)},
                )
            else:
                messages.success(request, _("“%(tree)s” is published.") % {"tree": tree.name})

    @admin.action(description=gettext_lazy("Archive the chosen trees"))
    def archive(self, request, queryset):
        for tree in queryset:
            tree_archive(tree=tree)
        messages.success(request, _("The chosen trees are archived."))

    @admin.display(description=gettext_lazy("The whole tree"))
    def outline(self, tree: DecisionTree) -> SafeString:
        if tree.pk is None:
            return _("Save the tree and its nodes to see it here.")
        outline = tree_outline(tree)
        counts = outline.counts
        parts = [
            format_html(
                '<p class="tree-counts">{}</p>',
                _(
                    "Walks: %(solved)s solved (%(deflected)s in the portal without a ticket), "
                    "%(escalated)s escalated, %(abandoned)s abandoned."
                )
                % {
                    "solved": counts.get("solved", 0),
                    "deflected": counts.get("deflected", 0),
                    "escalated": counts.get("escalated", 0),
                    "abandoned": counts.get("abandoned", 0),
                },
            )
        ]
        if outline.problems:
            parts.append(
                format_html(
                    '<div class="tree-problems"><strong>{}</strong><ul>{}</ul></div>',
                    _("It cannot be published yet:"),
                    format_html_join("", "<li>{}</li>", ((p,) for p in outline.problems)),
                )
            )
        if outline.root is not None:
            parts.append(format_html('<ul class="tree-outline">{}</ul>', _node_html(outline.root)))
        if outline.unreachable:
            parts.append(
                format_html(
                    '<div class="tree-unreachable"><strong>{}</strong><ul>{}</ul></div>',
                    _("No answer leads to these nodes:"),
                    format_html_join(
                        "",
                        '<li><a href="{}">{}</a>: {}</li>',
                        ((_node_url(n), n.key, n.text[:120] or "—") for n in outline.unreachable),
                    ),
                )
            )
        return mark_safe("".join(parts))  # noqa: S308 (every part from format_html)


def _node_url(node: TreeNode) -> str:
    return reverse("admin:knowledge_treenode_change", args=[node.pk])


KIND_LABELS = {
    NodeKind.QUESTION: gettext_lazy("Question"),
    NodeKind.SOLUTION: gettext_lazy("Solution"),
    NodeKind.ESCALATE: gettext_lazy("Escalate"),
}


def _node_html(outline: OutlineNode) -> SafeString:
    node = outline.node
    head = format_html(
        '<span class="tree-kind">{}</span> <a href="{}">{}</a> {}',
        KIND_LABELS.get(node.kind, node.kind),
        _node_url(node),
        node.key,
        node.text or "—",
    )
    if outline.loops_back:
        return format_html(
            '<li class="tree-node tree-loop">{} <strong>{}</strong></li>',
            head,
            _("(back up the tree: a circle)"),
        )
    branches = format_html_join(
        "",
        '<li class="tree-answer"><span class="tree-label">{}</span> → {}</li>',
        (
            (
                branch.choice.label or "—",
                format_html("<ul>{}</ul>", _node_html(branch.node))
                if branch.node is not None
                else format_html('<strong class="tree-nowhere">{}</strong>', _("nowhere")),
            )
            for branch in outline.branches
        ),
    )
    return format_html(
        '<li class="tree-node tree-{}">{}{}</li>',
        node.kind,
        head,
        format_html("<ul>{}</ul>", branches) if outline.branches else "",
    )


class ChoiceInline(admin.TabularInline):
    model = TreeChoice
    fk_name = "node"
    form = translations_form(TreeChoice, ("label",))
    exclude = ["label_i18n"]
    extra = 2
    ordering = ["position", "id"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "next_node":
            node = TreeNode.objects.filter(pk=_object_id(request)).first()
            kwargs["queryset"] = TreeNode.objects.filter(tree_id=node.tree_id if node else None)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(TreeNode)
class TreeNodeAdmin(TranslationsAdmin):
    """A node and its answers. Back to its tree from the link at the top."""

    translated_fields = ("text",)
    form = translations_form(TreeNode, translated_fields)
    exclude = ["text_i18n"]
    list_display = ["key", "tree", "kind", "position"]
    list_filter = ["tree", "kind"]
    list_select_related = ["tree"]
    search_fields = ["key", "text", "tree__name"]
    inlines = [ChoiceInline]

    def get_readonly_fields(self, request, obj=None):
        return ["tree_link"] if obj is not None else []

    def get_exclude(self, request, obj=None):
        return [*self.exclude, "tree"] if obj is not None else self.exclude

    @admin.display(description=gettext_lazy("tree"))
    def tree_link(self, node: TreeNode) -> SafeString:
        url = reverse("admin:knowledge_decisiontree_change", args=[node.tree_id])
        return format_html('<a href="{}">{}</a>', url, node.tree.name)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        problems = tree_edited(tree=form.instance.tree)
        if problems:
            messages.warning(request, " ".join(problems))


@admin.register(TreeWalk)
class TreeWalkAdmin(admin.ModelAdmin):
    """Walks are written by walking: read-only here."""

    list_display = ["tree", "user", "ticket", "in_portal", "outcome", "started_at"]
    list_filter = ["outcome", "in_portal", "tree"]
    list_select_related = ["tree", "user", "ticket"]
    raw_id_fields = ["ticket", "user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
