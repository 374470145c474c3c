"""Views of the agent workspace: thin, each parses a form and calls one service or selector."""

from .contacts import contact_new
from .devices import device_detail, device_list
from .guides import action_new, guide_save
from .notifications import (
    notification_open,
    notification_preferences,
    notifications_bell,
    notifications_page,
    notifications_read_all,
)
from .problems import (
    bulletin_close,
    bulletin_new,
    problem_detail,
    problem_edit,
    problem_list,
    problem_message,
    problem_new,
    problem_resolve,
    problem_update_resume,
    queue_link,
    ticket_problem_link,
    ticket_problem_unlink,
)
from .queue import queue, saved_view_delete, saved_view_save
from .search import search_page
from .sla import sla_compliance_export, sla_compliance_page
from .tickets import attachment_download, ticket_action, ticket_detail, ticket_history
from .trees import (
    ticket_tree_start,
    tree_abandon,
    tree_answer,
    tree_back,
    tree_walk,
    tree_walk_show,
    trees_list,
)

__all__ = [
    "action_new",
    "attachment_download",
    "bulletin_close",
    "bulletin_new",
    "contact_new",
    "device_detail",
    "device_list",
    "guide_save",
    "notification_open",
    "notification_preferences",
    "notifications_bell",
    "notifications_page",
    "notifications_read_all",
    "problem_detail",
    "problem_edit",
    "problem_list",
    "problem_message",
    "problem_new",
    "problem_resolve",
    "problem_update_resume",
    "queue",
    "queue_link",
    "saved_view_delete",
    "saved_view_save",
    "search_page",
    "sla_compliance_export",
    "sla_compliance_page",
    "ticket_action",
    "ticket_detail",
    "ticket_history",
    "ticket_problem_link",
    "ticket_problem_unlink",
    "ticket_tree_start",
    "tree_abandon",
    "tree_answer",
    "tree_back",
    "tree_walk",
    "tree_walk_show",
    "trees_list",
]
