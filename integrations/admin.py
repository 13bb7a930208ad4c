from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from core.api.scopes import Scope

from .models import ApiKey, WebhookDelivery, WebhookEndpoint, WebhookEvent
from .services import api_key_create, api_key_revoke
from .webhooks import (
    webhook_deliveries_resend,
    webhook_endpoint_create,
    webhook_endpoint_deactivate,
    webhook_endpoint_update,
    webhook_url_clean,
)


class ApiKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(label=_("scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ApiKey
        fields = ("name", "owner", "scopes", "expires_at")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    form = ApiKeyForm
    list_display = ("name", "prefix", "owner", "scope_list", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "owner__username")
    readonly_fields = ("prefix", "created_at", "last_used_at", "revoked_at")
    autocomplete_fields = ("owner",)
    actions = ("revoke",)

    @admin.display(description=_("scopes"))
    def scope_list(self, key: ApiKey) -> str:
        return ", ".join(key.scopes)

    def get_readonly_fields(self, request, obj=None):
        # A key's powers are fixed once issued: revoke it and issue another.
        return (*self.readonly_fields, "owner", "scopes", "name", "expires_at") if obj else self.readonly_fields

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        return {"owner": request.user.pk}

    def save_model(self, request, obj: ApiKey, form, change: bool) -> None:
        if change:
            return
        key, raw = api_key_create(
            name=obj.name, owner=obj.owner, scopes=form.cleaned_data["scopes"], expires_at=obj.expires_at
        )
        form.instance = key
        obj.pk = key.pk
        request._kaoping_new_key = raw  # shown on the next page only, never stored

    def response_add(self, request: HttpRequest, obj: ApiKey, post_url_continue=None) -> HttpResponse:
        raw = getattr(request, "_kaoping_new_key", None)
        if raw is None:
            return super().response_add(request, obj, post_url_continue)
        response = TemplateResponse(
            request,
            "admin/integrations/apikey/created.html",
            {**self.admin_site.each_context(request), "key": obj, "raw": raw, "opts": self.model._meta},
        )
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request: HttpRequest, queryset) -> None:
        for key in queryset:
            api_key_revoke(key=key)
        messages.success(request, _("Keys revoked: they stop working at once."))

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoke instead: the key's history stays


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("events"), choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("url", "events", "description", "active")

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if self.instance.pk and url == self.instance.url:
            return url  # unchanged: not checked again, as in webhook_endpoint_update
        return webhook_url_clean(url)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ("url", "event_list", "active", "description", "created_by", "created_at")
    list_filter = ("active",)
    search_fields = ("url", "description")
    readonly_fields = ("created_by", "created_at", "updated_at")
    list_select_related = ("created_by",)
    actions = ("deactivate",)

    @admin.display(description=_("events"))
    def event_list(self, endpoint: WebhookEndpoint) -> str:
        return ", ".join(endpoint.events)

    def save_model(self, request, obj: WebhookEndpoint, form, change: bool) -> None:
        # Through the services, which check the URL and events and fail pending deliveries on deactivation.
        if change:
            changes = {field: form.cleaned_data[field] for field in form.changed_data}
            stored = webhook_endpoint_update(endpoint=WebhookEndpoint(pk=obj.pk), **changes)
        else:
            stored = webhook_endpoint_create(created_by=request.user, **form.cleaned_data)
            request._kaoping_new_secret = stored.secret  # shown on the next page only
        form.instance = stored
        obj.pk = stored.pk

    def response_add(self, request: HttpRequest, obj: WebhookEndpoint, post_url_continue=None) -> HttpResponse:
        secret = getattr(request, "_kaoping_new_secret", None)
        if secret is None:
            return super().response_add(request, obj, post_url_continue)
        response = TemplateResponse(
            request,
            "admin/integrations/webhookendpoint/created.html",
            {**self.admin_site.each_context(request), "endpoint": obj, "secret": secret, "opts": self.model._meta},
        )
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Deactivate the selected endpoints"))
    def deactivate(self, request: HttpRequest, queryset) -> None:
        for endpoint in queryset:
            webhook_endpoint_deactivate(endpoint=endpoint)
        messages.success(request, _("Endpoints deactivated: nothing more is sent to them."))

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # deactivate instead: the delivery log stays


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "msg_id",
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "created_at",
        "next_attempt_at",
        "delivered_at",
    )
    list_filter = ("status", "event_type")
    search_fields = ("msg_id", "endpoint__url")
    list_select_related = ("endpoint",)
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    actions = ("resend",)

    @admin.action(description=_("Resend the selected deliveries"), permissions=["resend"])
    def resend(self, request: HttpRequest, queryset) -> None:
        queued = webhook_deliveries_resend(deliveries=queryset)
        for delivery in queued:
            # In the delivery's admin history: who sent it again, and when.
            self.log_change(
                request, delivery, _("Queued again by hand (attempt %(attempt)s).") % {"attempt": delivery.attempts + 1}
            )
        skipped = len(queryset) - len(queued)
        messages.success(request, _("Deliveries queued again: %(count)s.") % {"count": len(queued)})
        if skipped:
            messages.warning(request, _("Not queued, their endpoint is deactivated: %(count)s.") % {"count": skipped})

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("integrations.change_webhookdelivery")

    def has_add_permission(self, request) -> bool:
        return False  # deliveries come from events only

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # a log: read it, or resend

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
