"""The admin for the service's configuration.

Every save that changes what customers are told goes through a review: the configuration the
save would leave is checked with mailcheck.validation (the same rules as importservice, SPF
asked of the configured DNS source) and, when it would change any verdict, the page shows the
impact (for one sample account per domain, the verdicts now and with the edit) and saves only
once staff tick "I have reviewed the impact". When DNS cannot answer, staff confirm that
separately rather than being blocked.

Every configuration model's history page says what each save changed (mailcheck.audit), and
the service has an audit page with the changes to all its rows. The history pages' revert is
refused: it would save one row without the review.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import PAGE_VAR
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, reverse
from django.urls import path as url_path
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from mailcheck import audit, models
from mailcheck.policy import Service, service_from_document
from mailcheck.services import SERVICE_FIELDS, current_resolver, export_service, load_service
from mailcheck.validation import ImpactRow, Path, Problem, Validation, impact, validate

# Where a problem of the document can be shown: a form and one of its fields (None: the form).
Rows = dict[Path, tuple[forms.BaseForm, str | None]]

CONFIRM_IMPACT = "_confirm_impact"
CONFIRM_UNVERIFIED = "_confirm_unverified"

OFFLINE_WARNING = _(
    "Unticking this takes the check offline for every customer: until a service is active "
    "again, everyone who opens the check is told it is unavailable."
)


@dataclass
class Proposal:
    """The configuration a save would leave, as the document exportservice writes."""

    document: dict[str, Any]
    active: bool  # the edited service will be the active one
    was_active: bool  # it is the active one now
    rows: Rows = field(default_factory=dict)


class ConfigurationReview:
    """One POST's check of the configuration it would leave. Created for the request by the
    admin, fed the inline formsets as they are built, run when the last of them is cleaned (by
    then the main form and every other inline are valid and hold the submitted values)."""

    def __init__(self, admin_: ReviewedConfigurationAdmin, request: HttpRequest) -> None:
        self.admin = admin_
        self.request = request
        self.form: forms.ModelForm[Any] | None = None
        self.formsets: list[ReviewedInlineFormSet] = []
        self.ran = False
        self.validation: Validation | None = None
        self.impact: tuple[ImpactRow, ...] = ()
        self.unplaced: list[Problem] = []
        self.token = ""
        self.needs_impact_confirmation = False
        self.needs_dns_confirmation = False
        self.offline = False

    @property
    def changed_rows(self) -> int:
        return sum(1 for row in self.impact if row.changed)

    def run(self, last: ReviewedInlineFormSet) -> None:
        self.ran = True
        forms_valid = all(not form.errors for form in last.forms) and all(
            formset.is_valid() for formset in self.formsets if formset is not last
        )
        if self.form is None or not forms_valid:
            return  # The page shows those errors first.
        proposal = self.admin.proposal(self)
        if proposal is None:
            return
        current = load_service()
        current_service = current if isinstance(current, Service) else None
        lookup = None
        if proposal.active:
            lookup = current_resolver().session(self.admin.dns_budget())
        validation = validate(proposal.document, lookup, complete=proposal.active)
        self.validation = validation
        if validation.errors:
            for problem in validation.errors:
                self._place(problem, proposal.rows)
            raise ValidationError(
                _("Not saved: the configuration check above found problems."),
                code="configuration",
            )
        for problem in validation.warnings + validation.unverified:
            if not self._where(problem, proposal.rows):
                self.unplaced.append(problem)
        proposed: Service | None = current_service
        if proposal.active:
            proposed = service_from_document(proposal.document)
        elif proposal.was_active:
            proposed = None  # Saved inactive: the check goes offline.
            self.offline = True
        if proposed != current_service:
            self.impact = impact(
                current_service,
                proposed,
                lookup or current_resolver().session(self.admin.dns_budget()),
                timezone.localdate(),
            )
        self.token = _token(proposal)
        self.needs_impact_confirmation = bool(
            self.changed_rows or validation.warnings or self.offline
        )
        self.needs_dns_confirmation = bool(validation.unverified)
        post = self.request.POST
        if (self.needs_impact_confirmation and post.get(CONFIRM_IMPACT) != self.token) or (
            self.needs_dns_confirmation and post.get(CONFIRM_UNVERIFIED) != self.token
        ):
            raise ValidationError(
                _(
                    "Not saved yet: review the configuration check above, tick the boxes under "
                    "it and save again."
                ),
                code="confirm",
            )

    def _where(self, problem: Problem, rows: Rows) -> tuple[forms.BaseForm, str | None] | None:
        for path in (problem.path, *problem.related):
            # A problem of a row's field may be shown on the row, and one of a list on its item.
            while path:
                if path in rows:
                    return rows[path]
                path = path[:-1]
        return None

    def _place(self, problem: Problem, rows: Rows) -> None:
        place = self._where(problem, rows)
        if place is None:
            self.unplaced.append(problem)
            return
        form, name = place
        form.add_error(name, ValidationError(problem.message, code=str(problem.code)))
        if form is not self.form:
            # Inline rows show only their own errors; keep the panel complete too.
            self.unplaced.append(problem)


def _token(proposal: Proposal) -> str:
    """Ties a confirmation to the configuration reviewed: edit it again and it is asked anew."""
    text = json.dumps([proposal.document, proposal.active], sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class ReviewedInlineFormSet(BaseInlineFormSet[Any, Any, Any]):
    def __init__(self, *args: Any, review: ConfigurationReview | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.review = review
        if review is not None:
            review.formsets.append(self)

    def clean(self) -> None:
        super().clean()
        review = self.review
        if review is not None and not review.ran and review.formsets[-1] is self:
            review.run(self)

    def kept_forms(self) -> list[forms.ModelForm[Any]]:
        """The rows that will exist after the save, in order."""
        deleted = set(map(id, self.deleted_forms)) if self.can_delete else set()
        return [
            form
            for form in self.forms
            if id(form) not in deleted and (form.instance.pk is not None or form.has_changed())
        ]


class AuditedHistoryAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    """A history page whose entries say what changed (mailcheck.audit), without revert."""

    def set_history_delta_changes(
        self, request: HttpRequest, historical_records: Any, foreign_keys_are_objs: bool = True
    ) -> None:
        records = list(historical_records)
        for record, entry in zip(records, audit.entries(records), strict=True):
            record.audit = entry

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id))
        service = getattr(obj, "service", obj)
        context = dict(extra_context or {})
        if isinstance(service, models.Service):
            # The rows edited inline (domains, addresses) have no history page of their own.
            context["configuration_audit_url"] = reverse(
                "admin:mailcheck_service_audit", args=[service.pk]
            )
        response: HttpResponse = super().history_view(request, object_id, context)
        return response

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        # A revert saves the one row without its inlines, so without the configuration review.
        return True

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method == "POST":
            raise PermissionDenied
        response: HttpResponse = super().history_form_view(
            request, object_id, version_id, extra_context
        )
        return response


class ReviewedConfigurationAdmin(AuditedHistoryAdmin):
    """Saves of configuration rows go through a ConfigurationReview (see the module)."""

    change_form_template = "admin/mailcheck/reviewed_change_form.html"

    def dns_budget(self) -> float:
        return float(settings.MAILCHECK_DNS_BUDGET)

    def _review(self, request: HttpRequest) -> ConfigurationReview:
        review = getattr(request, "_configuration_review", None)
        if review is None:
            review = ConfigurationReview(self, request)
            request._configuration_review = review  # type: ignore[attr-defined]
        return review

    def get_formset_kwargs(
        self, request: HttpRequest, obj: Any, inline: Any, prefix: str
    ) -> dict[str, Any]:
        kwargs: dict[str, Any] = super().get_formset_kwargs(request, obj, inline, prefix)
        if request.method == "POST":
            kwargs["review"] = self._review(request)
        return kwargs

    def save_form(self, request: HttpRequest, form: Any, change: bool) -> Any:
        # Called only when the main form is valid, before the inlines are.
        if request.method == "POST":
            self._review(request).form = form
        return super().save_form(request, form, change)

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        context["configuration_review"] = getattr(request, "_configuration_review", None)
        context["confirm_impact_name"] = CONFIRM_IMPACT
        context["confirm_unverified_name"] = CONFIRM_UNVERIFIED
        response: HttpResponse = super().render_change_form(
            request, context, add, change, form_url, obj
        )
        return response

    def proposal(self, review: ConfigurationReview) -> Proposal | None:
        raise NotImplementedError


class RequiredInline(admin.TabularInline[Any, Any]):
    """An inline that must keep at least ``min_num`` rows. Django's admin passes min_num to the
    formset but not validate_min, so without this the last row could be deleted."""

    min_num = 1
    formset = ReviewedInlineFormSet

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
    formset = ReviewedInlineFormSet
    fields = ["effective", "announced", "title", "matched_route", "mismatched_route"]


class RouteAddressInline(RequiredInline):
    # A route with no address could not send mail, and the check could not evaluate it.
    model = models.RouteAddress
    extra = 0


def _stored(service: models.Service | None) -> dict[str, Any]:
    if service is None or service.pk is None:
        return {"domains": [], "routes": [], "changes": []}
    return export_service(models.Service.objects.get(pk=service.pk))


def _was_active(service: models.Service | None) -> bool:
    if service is None or service.pk is None:
        return False
    return models.Service.objects.filter(pk=service.pk, is_active=True).exists()


@admin.register(models.Service)
class ServiceAdmin(ReviewedConfigurationAdmin):
    change_form_template = "admin/mailcheck/service/change_form.html"
    audit_per_page = 50
    list_display = ["name", "submission_host", "submission_port", "is_active", "domain_list"]
    list_filter = ["is_active"]
    search_fields = ["name", "domains__name"]
    inlines = [ServiceDomainInline, PolicyChangeInline]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting the active service takes the check offline: deactivate it first, which the
        # review confirms with its consequence spelled out.
        if obj is not None and obj.is_active:
            return False
        return bool(super().has_delete_permission(request, obj))

    readonly_fields = ["route_links"]
    fieldsets = [
        (None, {"fields": ["name", "is_active"]}),
        (
            _("Submission server"),
            {"fields": ["submission_host", "submission_port", "submission_security"]},
        ),
        (
            _("Incoming server (for setting up mail programs)"),
            {
                "fields": [
                    "incoming_protocol",
                    "incoming_host",
                    "incoming_port",
                    "incoming_security",
                ]
            },
        ),
        (_("Outbound routes"), {"fields": ["route_links"]}),
        (_("Test mails"), {"fields": ["received_auth_pattern"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[models.Service]:
        rows: QuerySet[models.Service] = super().get_queryset(request)
        return rows.prefetch_related("domains", "routes__addresses")

    def get_urls(self) -> list[URLPattern]:
        audit_url = url_path(
            "<path:object_id>/audit/",
            self.admin_site.admin_view(self.audit_view),
            name="mailcheck_service_audit",
        )
        return [audit_url, *super().get_urls()]

    def get_form(
        self,
        request: HttpRequest,
        obj: models.Service | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> type[forms.ModelForm[models.Service]]:
        form: type[forms.ModelForm[models.Service]] = super().get_form(
            request, obj, change, **kwargs
        )
        field = form.base_fields.get("is_active")
        if obj is not None and obj.is_active and field is not None:
            # Said before the save too: unticking this takes the check offline.
            field.help_text = OFFLINE_WARNING
        return form

    def audit_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Every change to the service and its domains, routes, addresses and dated changes,
        newest first: read-only, for anyone who may view the service."""
        service = self.get_object(request, unquote(object_id))
        if service is None:
            raise Http404
        if not self.has_view_or_change_permission(request, service):
            raise PermissionDenied
        paginator = Paginator(audit.service_history_keys(service), self.audit_per_page)
        page = paginator.get_page(request.GET.get(PAGE_VAR))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Configuration history: %(service)s") % {"service": service},
            "opts": self.opts,
            "object": service,
            "entries": audit.entries(audit.load(page.object_list)),
            "page_obj": page,
            "page_range": paginator.get_elided_page_range(page.number),
            "page_var": PAGE_VAR,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/mailcheck/service/audit.html", context)

    def proposal(self, review: ConfigurationReview) -> Proposal | None:
        assert review.form is not None
        service: models.Service = review.form.instance
        document = copy.deepcopy(_stored(service))
        document.update(
            name=service.name,
            active=service.is_active,
            **{key: getattr(service, key) for key in SERVICE_FIELDS},
        )
        rows: Rows = {("active",): (review.form, "is_active")}
        for formset in review.formsets:
            if formset.model is models.ServiceDomain:
                document["domains"] = []
                for index, form in enumerate(formset.kept_forms()):
                    document["domains"].append(form.instance.name)
                    rows[("domains", index)] = (form, "name")
            elif formset.model is models.PolicyChange:
                document["changes"] = []
                for index, form in enumerate(formset.kept_forms()):
                    change = form.instance
                    document["changes"].append(
                        {
                            "title": change.title,
                            "announced": change.announced.isoformat() if change.announced else None,
                            "effective": change.effective.isoformat(),
                            "matched_route": change.matched_route,
                            "mismatched_route": change.mismatched_route,
                        }
                    )
                    rows[("changes", index)] = (form, None)
                    rows[("changes", index, "effective")] = (form, "effective")
        return Proposal(
            document=document,
            active=service.is_active,
            was_active=_was_active(service),
            rows=rows,
        )

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
class RouteAdmin(ReviewedConfigurationAdmin):
    list_display = ["kind", "helo", "service", "address_list"]
    list_filter = ["kind", "service"]
    search_fields = ["helo", "addresses__address"]
    inlines = [RouteAddressInline]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The active service needs both routes: deleting one would take the check offline
        # without the review. Its addresses are edited (and reviewed) on the route's page.
        if obj is not None and obj.service.is_active:
            return False
        return bool(super().has_delete_permission(request, obj))

    def get_queryset(self, request: HttpRequest) -> QuerySet[models.Route]:
        rows: QuerySet[models.Route] = super().get_queryset(request)
        return rows.select_related("service").prefetch_related("addresses")

    @admin.display(description=_("addresses"))
    def address_list(self, obj: models.Route) -> str:
        return ", ".join(a.address for a in obj.addresses.all())

    def proposal(self, review: ConfigurationReview) -> Proposal | None:
        assert review.form is not None
        route: models.Route = review.form.instance
        service = route.service
        document = copy.deepcopy(_stored(service))
        before = models.Route.objects.filter(pk=route.pk).first() if route.pk else None
        routes = [
            r
            for r in document["routes"]
            if r["kind"] != route.kind
            and (before is None or before.service_id != service.pk or r["kind"] != before.kind)
        ]
        addresses: list[str] = []
        routes.append(
            {
                "kind": route.kind,
                "helo": route.helo,
                "description": route.description,
                "addresses": addresses,
            }
        )
        # The export's order, so that the paths match what exportservice would write.
        routes.sort(key=lambda r: str(r["kind"]))
        document["routes"] = routes
        index = next(i for i, r in enumerate(routes) if r["addresses"] is addresses)
        rows: Rows = {
            ("routes", index): (review.form, None),
            ("routes", index, "kind"): (review.form, "kind"),
            ("routes", index, "helo"): (review.form, "helo"),
        }
        for formset in review.formsets:
            for position, form in enumerate(formset.kept_forms()):
                addresses.append(form.instance.address)
                rows[("routes", index, "addresses", position)] = (form, "address")
        return Proposal(
            document=document,
            active=service.is_active,
            was_active=_was_active(service),
            rows=rows,
        )


@admin.register(models.PolicyChange)
class PolicyChangeAdmin(AuditedHistoryAdmin):
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

    # Policy changes are edited on their service's page, where every save is checked against
    # SPF and its impact shown first; this list only reads them (and their history).
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
