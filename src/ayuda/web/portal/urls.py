from django.urls import path

from . import actions, bulletins, devices, views

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
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
