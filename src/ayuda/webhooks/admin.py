"""The administrators' webhook screens: subscriptions (secret shown once) and the delivery
log with each attempt, where a delivery can be replayed."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _

from ayuda.accounts.models import User
from ayuda.core.admin import LargeTableAdmin
from ayuda.core.errors import AyudaError

from . import guard, services
from .models import Delivery, DeliveryAttempt, EventType, Subscription


class SubscriptionForm(forms.ModelForm):
    event_types = forms.MultipleChoiceField(
        label=_("events"), choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Subscription
        fields = ["name", "url", "event_types", "owner"]
        widgets = {"url": forms.URLInput(attrs={"size": 80})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(
            is_active=True, role__in=services.OWNER_ROLES
        ).order_by("username")

    def clean_url(self) -> str:
        try:
            return guard.url_check(self.cleaned_data["url"])
        except AyudaError as exc:
            raise forms.ValidationError(exc.message) from None


class _AdminOnly:
    """Only administrators see and change webhooks (they can send ticket data out)."""

    def has_module_permission(self, request):
        return services.is_webhook_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return services.is_webhook_admin(request.user)

    def has_add_permission(self, request, *args):
        return services.is_webhook_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return services.is_webhook_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return services.is_webhook_admin(request.user)


def _secret_page(request, subscription, secret):
    response = TemplateResponse(
        request,
        "webhooks/admin/secret.html",
        {
            "title": _("Webhook secret"),
            "subscription": subscription,
            "secret": secret,
            "opts": Subscription._meta,
        },
    )
    add_never_cache_headers(response)  # the secret is on no cache's disk
    return response


@admin.register(Subscription)
class SubscriptionAdmin(_AdminOnly, admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ("name", "url", "owner", "is_active", "failing_since", "disabled_at")
    list_filter = ("is_active",)
    search_fields = ("name", "url")
    readonly_fields = ("is_active", "failing_since", "disabled_at", "disabled_reason", "created_at")
    actions = ["enable", "disable", "rotate_secret"]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("owner", request.user.pk)
        return initial

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {
            "name": data["name"],
            "url": data["url"],
            "event_types": data["event_types"],
            "owner": data["owner"],
        }
        request.webhook_secret = None
        try:
            if change:
                services.subscription_update(actor=request.user, subscription=obj, **fields)
            else:
                saved, request.webhook_secret = services.subscription_create(
                    actor=request.user, **fields
                )
                obj.pk = saved.pk
                obj.refresh_from_db()
        except AyudaError as exc:  # e.g. the name resolves elsewhere since the form's check
            self.message_user(request, exc.message, messages.ERROR)

    def response_add(self, request, obj, post_url_continue=None):
        if request.webhook_secret is None:
            return HttpResponseRedirect(reverse("admin:webhooks_subscription_changelist"))
        return _secret_page(request, obj, request.webhook_secret)

    @admin.action(description=_("Turn on again"))
    def enable(self, request, queryset):
        for subscription in queryset:
            try:
                services.subscription_enable(actor=request.user, subscription=subscription)
            except AyudaError as exc:
                self.message_user(request, f"{subscription}: {exc.message}", messages.ERROR)
                return
        self.message_user(request, _("Turned on."), messages.SUCCESS)

    @admin.action(description=_("Turn off"))
    def disable(self, request, queryset):
        for subscription in queryset:
            services.subscription_disable(
                subscription=subscription,
                actor=request.user,
                reason=_("Turned off by %(user)s") % {"user": request.user},
            )
        self.message_user(request, _("Turned off."), messages.SUCCESS)

    @admin.action(description=_("Make a new secret"))
    def rotate_secret(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose one subscription."), messages.ERROR)
            return None
        subscription = queryset.get()
        secret = services.subscription_secret_rotate(actor=request.user, subscription=subscription)
        return _secret_page(request, subscription, secret)


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ("number", "at", "address", "status_code", "duration_ms", "error", "response_body")
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        return services.is_webhook_admin(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(_AdminOnly, LargeTableAdmin):
    list_display = (
        "created_at",
        "subscription",
        "event_type",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
    )
    list_filter = ("status", "event_type", "subscription", "created_at")
    search_fields = ("message_id",)
    list_select_related = ("subscription",)
    readonly_fields = [f.name for f in Delivery._meta.fields]
    raw_id_fields = ("event",)
    inlines = [AttemptInline]
    actions = ["replay"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # the log is not edited

    def has_replay_permission(self, request) -> bool:
        return services.is_webhook_admin(request.user)

    @admin.action(description=_("Replay (send again now)"), permissions=["replay"])
    def replay(self, request, queryset):
        from .delivery import delivery_replay_check
        from .tasks import webhook_replay

        queued = 0
        for delivery in queryset.select_related("subscription"):
            try:
                delivery_replay_check(delivery=delivery)
            except AyudaError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                continue
            webhook_replay.delay(delivery.pk)
            queued += 1
        if queued:
            self.message_user(request, _("Queued to be sent again."), messages.SUCCESS)
