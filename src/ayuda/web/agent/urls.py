from django.urls import path

from . import views

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
    path("tickets/<int:pk>/problem/link/", views.ticket_problem_link, name="problem_link"),
    path("tickets/<int:pk>/problem/unlink/", views.ticket_problem_unlink, name="problem_unlink"),
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
    path("problems/", views.problem_list, name="problems"),
    path("problems/new/", views.problem_new, name="problem_new"),
    path("problems/link/", views.queue_link, name="queue_link"),
    path("problems/<int:pk>/", views.problem_detail, name="problem"),
    path("problems/<int:pk>/edit/", views.problem_edit, name="problem_edit"),
    path("problems/<int:pk>/bulletins/", views.bulletin_new, name="bulletin_new"),
    path("problems/<int:pk>/resolve/", views.problem_resolve, name="problem_resolve"),
    path("problems/<int:pk>/message/", views.problem_message, name="problem_message"),
    path("bulletins/<int:pk>/close/", views.bulletin_close, name="bulletin_close"),
    path("problem-updates/<int:pk>/resume/", views.problem_update_resume, name="update_resume"),
    path("sla/", views.sla_compliance_page, name="sla"),
    path("sla/<slug:group>.csv", views.sla_compliance_export, name="sla_export"),
]
