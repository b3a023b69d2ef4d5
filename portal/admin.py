"""The admin where support staff write notices and FAQ answers.

Every change is recorded with its author (django-simple-history); a notice can be previewed, in
either language, before the public sees it; and its status (draft, scheduled, published, ended)
is visible and filterable in the list. While staff type, each Markdown box shows its text as the
public will see it, rendered by the server's own renderer and sanitiser (one renderer: the
preview cannot differ from the page), with what the sanitiser removed; after saving, the same
is said as a warning. A translation that one language's edit left behind is marked.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin

from portal import content_views
from portal.markdown import Removal, render_markdown_report
from portal.models import BilingualContent, FaqCategory, FaqEntry, Notice, SearchSynonym

PREVIEW_LANGUAGES = (("ja", "日本語"), ("en", "English"))
# Longer than any notice staff write; a larger post is refused rather than rendered.
MAX_PREVIEW_LENGTH = 100_000


def removal_message(removed: tuple[Removal, ...], field: str = "") -> str:
    items = ", ".join(str(r) for r in removed)
    if field:
        return gettext(
            "%(field)s: removed because the site does not allow it: %(items)s. "
            "Check the text: a removed link leaves its words without the link."
        ) % {"field": field, "items": items}
    return gettext(
        "Removed because the site does not allow it: %(items)s. "
        "Check the text: a removed link leaves its words without the link."
    ) % {"items": items}


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
    """A preview page rendered with the public template, in the language asked for; a live
    preview of each Markdown box while it is edited (static/js/markdown-preview.js); a warning
    after saving when the sanitiser removed something."""

    preview_template: str

    class Media:
        js = ["js/markdown-preview.js"]

    def preview_context(self, obj: Any) -> dict[str, object]:
        raise NotImplementedError

    def get_urls(self) -> list[URLPattern]:
        opts = self.model._meta  # type: ignore[attr-defined]
        view = self.admin_site.admin_view(self.preview_view)  # type: ignore[attr-defined]
        markdown_view = self.admin_site.admin_view(  # type: ignore[attr-defined]
            require_POST(self.markdown_preview_view)
        )
        return [
            path(
                "markdown-preview/",
                markdown_view,
                name=f"{opts.app_label}_{opts.model_name}_markdown_preview",
            ),
            path(
                "<path:object_id>/preview/",
                view,
                name=f"{opts.app_label}_{opts.model_name}_preview",
            ),
            *super().get_urls(),  # type: ignore[misc]
        ]

    def markdown_preview_view(self, request: HttpRequest) -> HttpResponse:
        """The posted, unsaved Markdown as the public page would show it. POST only, behind the
        admin's login and CSRF check, for staff who may write this kind of content."""
        may_write = self.has_add_permission(request) or self.has_change_permission(request)  # type: ignore[attr-defined]
        if not may_write:
            raise PermissionDenied
        text = request.POST.get("text", "")
        if len(text) > MAX_PREVIEW_LENGTH:
            return JsonResponse({"error": "too long"}, status=413)
        rendered = render_markdown_report(text)
        return JsonResponse(
            {
                "html": rendered.html,
                "removed": [str(r) for r in rendered.removed],
                "warning": removal_message(rendered.removed) if rendered.removed else "",
            }
        )

    def formfield_for_dbfield(
        self, db_field: models.Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
        if formfield is not None and db_field.name in self.model.MARKDOWN_FIELDS:  # type: ignore[attr-defined]
            opts = self.model._meta  # type: ignore[attr-defined]
            formfield.widget.attrs.update(
                {
                    "data-markdown-preview": reverse(
                        f"admin:{opts.app_label}_{opts.model_name}_markdown_preview"
                    ),
                    "data-preview-label": _("Preview"),
                    "data-preview-failed": _("The preview could not be shown."),
                }
            )
        return formfield

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        for field, removed in obj.removed_content():
            self.message_user(request, removal_message(removed, field), messages.WARNING)  # type: ignore[attr-defined]

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


class TranslationMixin:
    """Marks an entry whose Japanese changed after its English, or the other way round."""

    @admin.display(description=_("translation"))
    def translation_state(self, obj: BilingualContent) -> str:
        obj = getattr(obj, "instance", obj)
        outdated = obj.outdated_language
        if outdated is None:
            return "-"
        text = (
            _("English may be out of date")
            if outdated == "en"
            else _("Japanese may be out of date")
        )
        return format_html('<span class="translation-outdated">⚠ {}</span>', text)

    @admin.display(description=_("translation"))
    def translation_note(self, obj: BilingualContent) -> str:
        outdated = obj.outdated_language
        if obj.pk is None or outdated is None:
            return "-"
        changed = obj.ja_changed_at if outdated == "en" else obj.en_changed_at
        when = timezone.localtime(changed).strftime("%Y-%m-%d %H:%M") if changed else ""
        if outdated == "en":
            text = gettext(
                "The Japanese text was changed on %(when)s, after the English. The English may "
                "be out of date: check it and save it, or mark it up to date from the list."
            )
        else:
            text = gettext(
                "The English text was changed on %(when)s, after the Japanese. The Japanese may "
                "be out of date: check it and save it, or mark it up to date from the list."
            )
        return format_html(
            '<strong class="translation-outdated">⚠ {}</strong>', text % {"when": when}
        )

    @admin.action(description=_("Mark the translations of the selected entries as up to date"))
    def mark_translation_current(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        count = 0
        for obj in queryset:
            if obj.outdated_language is not None:
                latest = max(obj.ja_changed_at, obj.en_changed_at)
                # update(): a checked translation is no change of text and writes no history.
                type(obj).objects.filter(pk=obj.pk).update(
                    ja_changed_at=latest, en_changed_at=latest
                )
                count += 1
        self.message_user(  # type: ignore[attr-defined]
            request,
            ngettext(
                "%(count)d translation marked up to date.",
                "%(count)d translations marked up to date.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


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
class NoticeAdmin(PreviewMixin, TranslationMixin, CheckboxM2MMixin, SimpleHistoryAdmin):  # type: ignore[misc]
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
        "translation_state",
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
    readonly_fields = [
        "status_badge",
        "translation_note",
        "created_by",
        "created_at",
        "updated_by",
        "updated_at",
    ]
    actions = ["publish_now", "make_draft", "mark_translation_current"]
    save_on_top = True
    history_list_display = ["status_badge"]
    fieldsets = [
        (_("Japanese"), {"fields": ["title_ja", "body_ja"]}),
        (
            _("English"),
            {
                "fields": ["title_en", "body_en", "translation_note"],
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
class FaqEntryAdmin(PreviewMixin, TranslationMixin, CheckboxM2MMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    preview_template = "portal/faq_detail.html"
    change_form_template = "portal/admin/change_form.html"
    list_display = [
        "question_ja",
        "category",
        "position",
        "is_published",
        "has_english",
        "translation_state",
        "updated_at",
    ]
    list_display_links = ["question_ja"]
    list_editable = ["position"]
    list_filter = [PublishedFilter, "category", "check_topics", "updated_at"]
    search_fields = ["question_ja", "question_en", "answer_ja", "answer_en", "slug"]
    date_hierarchy = "updated_at"
    prepopulated_fields = {"slug": ["question_en"]}
    autocomplete_fields = ["related_notices"]
    readonly_fields = ["translation_note", "created_at", "updated_at"]
    actions = ["mark_translation_current"]
    save_on_top = True
    history_list_display = ["is_published"]
    fieldsets = [
        (_("Japanese"), {"fields": ["question_ja", "answer_ja"]}),
        (
            _("English"),
            {
                "fields": ["question_en", "answer_en", "translation_note"],
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


@admin.register(SearchSynonym)
class SearchSynonymAdmin(admin.ModelAdmin[SearchSynonym]):
    list_display = ["__str__"]
    search_fields = ["terms"]
    fields = ["terms"]
