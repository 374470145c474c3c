from django.contrib.auth import views as auth_views
from django.urls import include, path

from ayuda.accounts.forms import LoginForm

from . import tokens, views

urlpatterns = [
    path("", views.home, name="home"),
    path("agent/", include("ayuda.web.agent.urls")),
    path("portal/", include("ayuda.web.portal.urls")),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("preferences/", views.preferences, name="preferences"),
    path("language/", views.language_set, name="language"),
    path("tokens/", tokens.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", tokens.token_revoke_view, name="token_revoke"),
]
