from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from mailcheck import models


class RequiredInline(admin.TabularInline[Any, Any]):
    """An inline that must keep at least ``min_num`` rows. Django's admin passes min_num to the
    formset but not validate_min, so without this the last row could be deleted."""

    min_num = 1

    def get_formset(
        self, request: HttpRequest, obj: Any = None, **kwargs: Any
    ) -> type[BaseInlineFormSet[Any, Any, Any]]:
        kwargs["validate_min"] = True
        return super().get_formset(request, obj, **kwargs)


class ServiceDomainInline(RequiredInline):
    model = models.ServiceDomain
    extra = 0


class PolicyChangeInline(admin.TabularInline[models.PolicyChange, models.Service]):
    model = models.PolicyChange
    extra = 0
    fields = ["effective", "announced", "title", "matched_route", "mismatched_route"]


class RouteAddressInline(RequiredInline):
    # A route with no address could not send mail, and the check could not evaluate it.
    model = models.RouteAddress
    extra = 0


@admin.register(models.Service)
class ServiceAdmin(admin.ModelAdmin[models.Service]):
    list_display = ["name", "submission_host", "submission_port", "is_active", "domain_list"]
    list_filter = ["is_active"]
    search_fields = ["name", "domains__name"]
    inlines = [ServiceDomainInline, PolicyChangeInline]
    readonly_fields = ["route_links"]
    fieldsets = [
        (None, {"fields": ["name", "is_active"]}),
        (_("Submission server"), {"fields": ["submission_host", "submission_port"]}),
        (_("Outbound routes"), {"fields": ["route_links"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[models.Service]:
        return super().get_queryset(request).prefetch_related("domains", "routes__addresses")

    @admin.display(description=_("domains"))
    def domain_list(self, obj: models.Service) -> str:
        return ", ".join(d.name for d in obj.domains.all())

    @admin.display(description=_("routes"))
    def route_links(self, obj: models.Service) -> str:
        if obj.pk is None:
            return _("Save the service first, then add its routes.")
        links = format_html_join(
            "",
            '<li><a href="{}">{}</a>: {}</li>',
            (
                (
                    reverse("admin:mailcheck_route_change", args=[route.pk]),
                    route,
                    ", ".join(a.address for a in route.addresses.all()),
                )
                for route in obj.routes.all()
            ),
        )
        add = reverse("admin:mailcheck_route_add") + f"?service={obj.pk}"
        return format_html('<ul>{}</ul><a href="{}">{}</a>', links, add, _("Add a route"))


@admin.register(models.Route)
class RouteAdmin(admin.ModelAdmin[models.Route]):
    list_display = ["kind", "helo", "service", "address_list"]
    list_filter = ["kind", "service"]
    search_fields = ["helo", "addresses__address"]
    inlines = [RouteAddressInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[models.Route]:
        return super().get_queryset(request).select_related("service").prefetch_related("addresses")

    @admin.display(description=_("addresses"))
    def address_list(self, obj: models.Route) -> str:
        return ", ".join(a.address for a in obj.addresses.all())


@admin.register(models.PolicyChange)
class PolicyChangeAdmin(admin.ModelAdmin[models.PolicyChange]):
    list_display = [
        "effective",
        "title",
        "service",
        "matched_route",
        "mismatched_route",
        "announced",
    ]
    list_filter = ["service", "mismatched_route"]
    date_hierarchy = "effective"
    search_fields = ["title"]
