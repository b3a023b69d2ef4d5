"""The admin where support staff write notices and FAQ answers.

Every change is recorded with its author (django-simple-history); a notice can be previewed, in
either language, before the public sees it; and its status (draft, scheduled, published, ended)
is visible and filterable in the list.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from portal import content_views
from portal.models import FaqCategory, FaqEntry, Notice

PREVIEW_LANGUAGES = (("ja", "日本語"), ("en", "English"))


class NoticeStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]) -> Any:
        return Notice.Status.choices

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        now = timezone.now()
        value = self.value()
        if value == Notice.Status.DRAFT:
            return queryset.filter(is_draft=True)
        if value == Notice.Status.SCHEDULED:
            return queryset.filter(is_draft=False, publish_from__gt=now)
        if value == Notice.Status.PUBLISHED:
            return queryset.published(now)  # type: ignore[attr-defined, no-any-return]
        if value == Notice.Status.EXPIRED:
            return queryset.filter(is_draft=False, publish_until__lte=now)
        return queryset


class PreviewMixin:
    """A preview page rendered with the public template, in the language asked for."""

    preview_template: str

    def preview_context(self, obj: Any) -> dict[str, object]:
        raise NotImplementedError

    def get_urls(self) -> list[URLPattern]:
        opts = self.model._meta  # type: ignore[attr-defined]
        view = self.admin_site.admin_view(self.preview_view)  # type: ignore[attr-defined]
        return [
            path(
                "<path:object_id>/preview/",
                view,
                name=f"{opts.app_label}_{opts.model_name}_preview",
            ),
            *super().get_urls(),  # type: ignore[misc]
        ]

    def preview_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        obj = get_object_or_404(self.model, pk=object_id)  # type: ignore[attr-defined]
        if not self.has_view_or_change_permission(request, obj):  # type: ignore[attr-defined]
            raise PermissionDenied
        language = request.GET.get("lang", "ja")
        if language not in dict(PREVIEW_LANGUAGES):
            language = "ja"
        opts = self.model._meta  # type: ignore[attr-defined]
        preview_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_preview", args=[obj.pk])
        change_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        with translation.override(language):
            links: list[tuple[str, str]] = [(str(_("Back to editing")), change_url)]
            links += [
                (format_html("{}: {}", _("Preview"), label), f"{preview_url}?lang={code}")
                for code, label in PREVIEW_LANGUAGES
                if code != language
            ]
            context = self.preview_context(obj) | {"preview": True, "preview_links": links}
            response = TemplateResponse(request, self.preview_template, context)
            response.render()
        return response


class CheckboxM2MMixin:
    # The eight check findings and the few service domains read best as checkboxes.
    checkbox_fields = ("check_topics", "service_domains")

    def formfield_for_manytomany(
        self, db_field: models.ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelMultipleChoiceField[Any] | None:
        if db_field.name in self.checkbox_fields:
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc, no-any-return]


@admin.register(Notice)
class NoticeAdmin(PreviewMixin, CheckboxM2MMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    preview_template = "portal/notice_detail.html"
    change_form_template = "portal/admin/change_form.html"
    list_display = [
        "title_ja",
        "category",
        "importance",
        "status_badge",
        "publish_from",
        "publish_until",
        "has_english",
        "updated_by",
        "updated_at",
    ]
    list_display_links = ["title_ja"]
    list_filter = [
        NoticeStatusFilter,
        "category",
        "importance",
        "publish_from",
        "publish_until",
        "check_topics",
    ]
    # icontains on each column: matches Japanese inside a word, which has no spaces to split on.
    search_fields = ["title_ja", "title_en", "body_ja", "body_en", "slug"]
    date_hierarchy = "publish_from"
    prepopulated_fields = {"slug": ["title_en"]}
    readonly_fields = ["status_badge", "created_by", "created_at", "updated_by", "updated_at"]
    actions = ["publish_now", "make_draft"]
    save_on_top = True
    history_list_display = ["status_badge"]
    fieldsets = [
        (_("Japanese"), {"fields": ["title_ja", "body_ja"]}),
        (
            _("English"),
            {
                "fields": ["title_en", "body_en"],
                "description": _("Optional. Without it the English pages show the Japanese text."),
            },
        ),
        (
            _("Publication"),
            {
                "fields": [
                    "slug",
                    "category",
                    "importance",
                    "is_draft",
                    "publish_from",
                    "publish_until",
                    "status_badge",
                ]
            },
        ),
        (
            _("Where it is shown"),
            {"fields": ["check_topics", "service_domains"]},
        ),
        (
            _("Record"),
            {
                "fields": ["created_by", "created_at", "updated_by", "updated_at"],
                "classes": ["collapse"],
            },
        ),
    ]

    def preview_context(self, obj: Notice) -> dict[str, object]:
        return content_views.notice_context(obj)

    @admin.display(description=_("status"))
    def status_badge(self, obj: Notice) -> str:
        # The history page passes historical rows; their .instance is the notice as it was.
        obj = getattr(obj, "instance", obj)
        if obj.pk is None:
            return "-"
        status = Notice.Status(obj.status())
        return format_html(
            '<span class="content-status content-status--{}">{}</span>', status.value, status.label
        )

    @admin.display(description=_("English"), boolean=True)
    def has_english(self, obj: Notice) -> bool:
        return bool(obj.title_en)

    def save_model(self, request: HttpRequest, obj: Notice, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        obj.updated_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Publish the selected notices (at their publish-from time)"))
    def publish_now(self, request: HttpRequest, queryset: QuerySet[Notice]) -> None:
        count = self._set_draft(request, queryset, draft=False)
        self.message_user(
            request,
            ngettext("%(count)d notice published.", "%(count)d notices published.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Withdraw the selected notices (back to draft)"))
    def make_draft(self, request: HttpRequest, queryset: QuerySet[Notice]) -> None:
        count = self._set_draft(request, queryset, draft=True)
        self.message_user(
            request,
            ngettext("%(count)d notice withdrawn.", "%(count)d notices withdrawn.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    def _set_draft(self, request: HttpRequest, queryset: QuerySet[Notice], *, draft: bool) -> int:
        """Change the draft flag of the notices that need it; returns how many changed."""
        count = 0
        for notice in queryset.filter(is_draft=not draft):
            # Saved one by one so each change is recorded in the history with its author.
            notice.is_draft = draft
            notice.updated_by = request.user  # type: ignore[assignment]
            notice.save()
            count += 1
        return count


@admin.register(FaqCategory)
class FaqCategoryAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ["name_ja", "name_en", "slug", "position", "entry_count"]
    list_editable = ["position"]
    search_fields = ["name_ja", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet[FaqCategory]:
        queryset: QuerySet[FaqCategory] = super().get_queryset(request)
        return queryset.annotate(entries_total=models.Count("entries"))

    @admin.display(description=_("entries"), ordering="entries_total")
    def entry_count(self, obj: FaqCategory) -> int:
        return obj.entries_total  # type: ignore[attr-defined, no-any-return]


class PublishedFilter(admin.SimpleListFilter):
    title = _("published")
    parameter_name = "published"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]) -> Any:
        return [("yes", _("Published")), ("no", _("Not published"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in ("yes", "no"):
            return queryset.filter(is_published=self.value() == "yes")
        return queryset


@admin.register(FaqEntry)
class FaqEntryAdmin(PreviewMixin, CheckboxM2MMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    preview_template = "portal/faq_detail.html"
    change_form_template = "portal/admin/change_form.html"
    list_display = [
        "question_ja",
        "category",
        "position",
        "is_published",
        "has_english",
        "updated_at",
    ]
    list_display_links = ["question_ja"]
    list_editable = ["position"]
    list_filter = [PublishedFilter, "category", "check_topics", "updated_at"]
    search_fields = ["question_ja", "question_en", "answer_ja", "answer_en", "slug"]
    date_hierarchy = "updated_at"
    prepopulated_fields = {"slug": ["question_en"]}
    autocomplete_fields = ["related_notices"]
    readonly_fields = ["created_at", "updated_at"]
    save_on_top = True
    history_list_display = ["is_published"]
    fieldsets = [
        (_("Japanese"), {"fields": ["question_ja", "answer_ja"]}),
        (
            _("English"),
            {
                "fields": ["question_en", "answer_en"],
                "description": _("Optional. Without it the English pages show the Japanese text."),
            },
        ),
        (_("Publication"), {"fields": ["slug", "category", "position", "is_published"]}),
        (_("Where it is shown"), {"fields": ["check_topics", "related_notices"]}),
        (_("Record"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def preview_context(self, obj: FaqEntry) -> dict[str, object]:
        return content_views.faq_entry_context(obj)

    @admin.display(description=_("English"), boolean=True)
    def has_english(self, obj: FaqEntry) -> bool:
        return bool(obj.question_en)
