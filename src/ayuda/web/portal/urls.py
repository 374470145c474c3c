from django.urls import path

from . import actions, bulletins, devices, kb, trees, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("tickets/new/", views.ticket_new, name="ticket_new"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket"),
    path("tickets/<int:pk>/reply/", views.ticket_reply, name="ticket_reply"),
    path("devices/", devices.device_list, name="devices"),
    path("devices/<int:pk>/", devices.device_detail, name="device"),
    path("tickets/<int:pk>/guide/", actions.guide_save, name="guide_save"),
    path("bulletins/<int:pk>/mine/", bulletins.bulletin_affected, name="bulletin_affected"),
    path("actions/", actions.my_actions, name="actions"),
    path("actions/<int:pk>/done/", actions.action_done, name="action_done"),
    path("kb/", kb.kb_list, name="kb"),
    path("kb/suggest/", kb.kb_suggest, name="kb_suggest"),
    path("kb/<int:pk>/", kb.kb_article, name="kb_article"),
    path("kb/<int:pk>/suggested/", kb.kb_suggested, name="kb_suggested"),
    path("kb/<int:pk>/helped/", kb.kb_helped, name="kb_helped"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("help/", trees.help_home, name="help"),
    path("help/<int:pk>/", trees.tree_walk, name="tree_walk"),
    path("help/walks/<int:pk>/", trees.tree_walk_show, name="tree_walk_show"),
    path("help/walks/<int:pk>/answer/", trees.tree_answer, name="tree_answer"),
    path("help/walks/<int:pk>/back/", trees.tree_back, name="tree_back"),
    path("help/walks/<int:pk>/abandon/", trees.tree_abandon, name="tree_abandon"),
]
