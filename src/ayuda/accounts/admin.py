from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from ayuda.core.admin import LookupsAdmin

from .forms import AdminLoginForm
from .models import ApiToken, Organisation, Site, Team, User, Vendor
from .tokens import token_revoke


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


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Administrators see every user's API tokens and revoke them; the secrets are not kept,
    so there is nothing to show or copy. Users create their own under "API tokens"."""

    list_display = [
        "name",
        "user",
        "prefix",
        "scopes",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["revoked_at", "expires_at"]
    search_fields = ["name", "prefix", "user__username", "user__email"]
    readonly_fields = [
        "user",
        "name",
        "prefix",
        "scopes",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    exclude = ["secret_hash"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset:
            token_revoke(token=token, actor=request.user)
        self.message_user(request, _("The tokens were revoked."))


# The admin's log-in says "too many attempts" as the workspace's does (the limits themselves
# are enforced by the authentication backend, whatever the form).
admin.site.login_form = AdminLoginForm
