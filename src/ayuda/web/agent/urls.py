from django.urls import path

from . import views
from .views import kb

app_name = "agent"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("views/", views.saved_view_save, name="view_save"),
    path("views/<int:pk>/delete/", views.saved_view_delete, name="view_delete"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket"),
    path("tickets/<int:pk>/history/", views.ticket_history, name="history"),
    # Before the generic action path below, which would take these slugs.
    path("tickets/<int:pk>/guide/", views.guide_save, name="guide_save"),
    path("tickets/<int:pk>/actions/new/", views.action_new, name="action_new"),
    path("tickets/<int:pk>/trees/<int:tree>/", views.ticket_tree_start, name="ticket_tree_start"),
    path("tickets/<int:pk>/<slug:action>/", views.ticket_action, name="ticket_action"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("devices/", views.device_list, name="devices"),
    path("devices/<int:pk>/", views.device_detail, name="device"),
    path("contacts/new/", views.contact_new, name="contact_new"),
    path("notifications/", views.notifications_page, name="notifications"),
    path("notifications/bell/", views.notifications_bell, name="notifications_bell"),
    path("notifications/read/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path(
        "notifications/preferences/",
        views.notification_preferences,
        name="notification_preferences",
    ),
    path("trees/", views.trees_list, name="trees"),
    path("trees/<int:pk>/walk/", views.tree_walk, name="tree_walk"),
    path("trees/walks/<int:pk>/", views.tree_walk_show, name="tree_walk_show"),
    path("trees/walks/<int:pk>/answer/", views.tree_answer, name="tree_answer"),
    path("trees/walks/<int:pk>/back/", views.tree_back, name="tree_back"),
    path("trees/walks/<int:pk>/abandon/", views.tree_abandon, name="tree_abandon"),
    path("kb/", kb.kb_list, name="kb"),
    path("kb/review/", kb.kb_review, name="kb_review"),
    path("kb/new/", kb.kb_new, name="kb_new"),
    path("kb/insert/", kb.kb_insert, name="kb_insert"),
    path("kb/from-ticket/<int:pk>/", kb.kb_from_ticket, name="kb_from_ticket"),
    path("kb/similar/<int:pk>/", kb.kb_similar, name="kb_similar"),
    path("kb/<int:pk>/", kb.kb_article, name="kb_article"),
    path("kb/<int:pk>/edit/", kb.kb_edit, name="kb_edit"),
    path("kb/<int:pk>/translate/", kb.kb_translate, name="kb_translate"),
    path("kb/<int:pk>/versions/<int:number>/", kb.kb_version, name="kb_version"),
    path("kb/<int:pk>/<slug:step>/", kb.kb_step, name="kb_step"),
    path("search/", views.search_page, name="search"),
    path("sla/", views.sla_compliance_page, name="sla"),
    path("sla/<slug:group>.csv", views.sla_compliance_export, name="sla_export"),
]
