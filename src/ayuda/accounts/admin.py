from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from ayuda.core.admin import LookupsAdmin

from .forms import AdminLoginForm
from .models import Organisation, Site, Team, User, Vendor


@admin.register(User)
class UserAdmin(LookupsAdmin, BaseUserAdmin):
    list_display = ["username", "email", "role", "organisation", "is_active"]
    list_filter = ["role", "organisation", "is_active"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (
            _("Ayuda"),
            {
                "fields": [
                    "role",
                    "organisation",
                    "sites",
                    "teams",
                    "vendor",
                    "language",
                    "timezone",
                    "phone",
                ]
            },
        ),
    )
    filter_horizontal = ["sites", "teams", "groups", "user_permissions"]


@admin.register(Organisation)
class OrganisationAdmin(LookupsAdmin):
    list_display = ["name", "email_domains", "language", "share_contact_with_vendors"]
    list_filter = ["share_contact_with_vendors"]
    search_fields = ["name"]


@admin.register(Site)
class SiteAdmin(LookupsAdmin):
    list_display = ["name", "code", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["name", "code"]


@admin.register(Team)
class TeamAdmin(LookupsAdmin):
    list_display = ["name", "level", "email"]


@admin.register(Vendor)
class VendorAdmin(LookupsAdmin):
    list_display = ["name", "email"]


# The admin's log-in says "too many attempts" as the workspace's does (the limits themselves
# are enforced by the authentication backend, whatever the form).
admin.site.login_form = AdminLoginForm
