"""The admin for the service's configuration.

Every save that changes what customers are told goes through a review: the configuration the
save would leave is checked with mailcheck.validation (the same rules as importservice, SPF
asked of the configured DNS source) and, when it would change any verdict, the page shows the
impact (for one sample account per domain, the verdicts now and with the edit) and saves only
once staff tick "I have reviewed the impact". When DNS cannot answer, staff confirm that
separately rather than being blocked.
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
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from mailcheck import models
from mailcheck.policy import Service, service_from_document
from mailcheck.services import current_resolver, export_service, load_service
from mailcheck.validation import ImpactRow, Path, Problem, Validation, impact, validate

# Where a problem of the document can be shown: a form and one of its fields (None: the form).
Rows = dict[Path, tuple[forms.BaseForm, str | None]]

CONFIRM_IMPACT = "_confirm_impact"
CONFIRM_UNVERIFIED = "_confirm_unverified"


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


class ReviewedConfigurationAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
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
        rows: QuerySet[models.Service] = super().get_queryset(request)
        return rows.prefetch_related("domains", "routes__addresses")

    def proposal(self, review: ConfigurationReview) -> Proposal | None:
        assert review.form is not None
        service: models.Service = review.form.instance
        document = copy.deepcopy(_stored(service))
        document.update(
            name=service.name,
            active=service.is_active,
            submission_host=service.submission_host,
            submission_port=service.submission_port,
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
