"""A small published tree: "Is the printer on?" → "Does it have paper?" → escalate."""

from ayuda.knowledge.models import (
    DecisionTree,
    NodeKind,
    TreeAudience,
    TreeChoice,
    TreeNode,
    TreeStatus,
)


def node_make(tree, key, kind=NodeKind.QUESTION, text=None, **kwargs) -> TreeNode:
    return TreeNode.objects.create(tree=tree, key=key, kind=kind, text=text or key, **kwargs)


def choice_make(node, label, next_node, position=0, **kwargs) -> TreeChoice:
    return TreeChoice.objects.create(
        node=node, label=label, next_node=next_node, position=position, **kwargs
    )


def tree_make(
    *, category=None, audience=TreeAudience.EVERYONE, published=True, name="Printer does not print"
) -> DecisionTree:
    tree = DecisionTree.objects.create(
        name=name,
        name_i18n={"es": "La impresora no imprime"},
        category=category,
        audience=audience,
    )
    on = node_make(
        tree,
        "on",
        text="Is the printer switched on?",
        text_i18n={"es": "¿La impresora está encendida?"},
        position=1,
    )
    paper = node_make(tree, "paper", text="Does it have paper?", position=2)
    switch_on = node_make(
        tree,
        "switch_on",
        NodeKind.SOLUTION,
        "Switch it on and try again.",
        text_i18n={"es": "Enciéndala y vuelva a probar."},
        position=3,
    )
    add_paper = node_make(tree, "add_paper", NodeKind.SOLUTION, "Add paper.", position=4)
    broken = node_make(tree, "broken", NodeKind.ESCALATE, "A technician must look.", position=5)
    choice_make(on, "Yes", paper, 1, label_i18n={"es": "Sí"})
    choice_make(on, "No", switch_on, 2)
    choice_make(paper, "Yes", broken, 1)
    choice_make(paper, "No", add_paper, 2)
    tree.root = on
    if published:
        tree.status = TreeStatus.PUBLISHED
    tree.save()
    return tree


def nodes(tree) -> dict[str, TreeNode]:
    return {n.key: n for n in tree.nodes.all()}


def choice(tree, key: str, label: str) -> TreeChoice:
    return TreeChoice.objects.get(node__tree=tree, node__key=key, label=label)
