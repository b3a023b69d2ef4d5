"""The site's own content: notices (お知らせ) and the FAQ (よくある質問).

Translation: paired fields (``title_ja`` / ``title_en`` …) rather than django-modeltranslation.
The site has exactly two languages and will keep them, so the fields are few and explicit. Paired
fields are ordinary columns: django-simple-history records both languages in every historical
row (modeltranslation adds its fields at runtime, after the history models are built), the
migrations say what is stored, the admin shows both texts side by side, and search and queries
name the columns they touch with no patched managers. Japanese is required; English is optional
and an entry without it is shown in Japanese, marked ``lang="ja"``, on the English pages.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import slugify
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from mailcheck.check import Finding
from mailcheck.snapshots import Snapshot
from portal.facts import html_with_facts, with_facts
from portal.markdown import Removal, render_markdown, render_markdown_report

# The syntax is never part of a translated sentence: a translation cannot turn its brackets or
# asterisks into full-width ones, which Markdown does not read (copying them gave plain text).
MARKDOWN_EXAMPLES = {
    "heading": "# …",
    "subheading": "## …",
    "bold": "**…**",
    "link": "[text](https://example.jp/)",
    "list": "- …",
    "table": "| … | … |",
    "change_date": "{change_date}",
}


def markdown_help() -> str:
    examples = {
        name: format_html("<code>{}</code>", code) for name, code in MARKDOWN_EXAMPLES.items()
    }
    return format_html(
        gettext(
            "Markdown: a blank line between paragraphs; {heading} heading, {subheading} "
            "sub-heading; {bold} bold; {link} link; {list} list; {table} table; {change_date} "
            "the date of the service's policy change, as the configuration has it. HTML tags, "
            "scripts and javascript: links are removed."
        ),
        **examples,
    )


MARKDOWN_HELP = lazy(markdown_help, str)()


def with_rendered(
    update_fields: Iterable[str] | None, rendered: dict[str, str]
) -> Iterable[str] | None:
    """save(update_fields=[...]) that writes a Markdown field writes its rendered HTML too."""
    if update_fields is None:
        return None
    fields = set(update_fields)
    return fields | {html for source, html in rendered.items() if source in fields}


def current_language() -> str:
    return "en" if (get_language() or "ja").startswith("en") else "ja"


SLUG_LENGTH = 80


class BilingualContent(models.Model):
    """What notices and FAQ entries share: Markdown rendered on save, an address made when staff
    leave it empty, and when each language last changed, so that a translation left behind by
    an edit of the other language is marked in the admin."""

    # {language: the fields holding its text}; the first is the title or question.
    LANGUAGE_FIELDS: dict[str, tuple[str, str]]
    # {Markdown field: the field holding its rendered HTML}.
    MARKDOWN_FIELDS: dict[str, str]
    SLUG_PREFIX: str
    slug: str  # Each subclass declares the field, with its own help text.

    ja_changed_at = models.DateTimeField(
        _("Japanese last changed"), null=True, blank=True, editable=False
    )
    en_changed_at = models.DateTimeField(
        _("English last changed"), null=True, blank=True, editable=False
    )

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        for source, html in self.MARKDOWN_FIELDS.items():
            setattr(self, html, render_markdown(getattr(self, source)))
        stamped = self.stamp_changed_languages()
        self.fill_slug()
        update_fields = with_rendered(kwargs.get("update_fields"), self.MARKDOWN_FIELDS)
        if update_fields is not None:
            update_fields = set(update_fields) | set(stamped)
        kwargs["update_fields"] = update_fields
        super().save(*args, **kwargs)

    @property
    def language(self) -> str:
        """The language this entry is shown in on the current page: English on an English page
        when it has an English title or question, Japanese otherwise."""
        english = getattr(self, self.LANGUAGE_FIELDS["en"][0])
        return "en" if current_language() == "en" and english else "ja"

    def text_of(self, language: str) -> tuple[str, ...]:
        return tuple(getattr(self, name) for name in self.LANGUAGE_FIELDS[language])

    def stamp_changed_languages(self) -> list[str]:
        """Record when each language's text changes, so that one left behind by an edit of the
        other is marked. Two edits bring the languages in step instead (both take the time):
        a translation added where there was none, and an edit of the language that was marked
        out of date (its translator caught up). A language emptied has no time."""
        names = [name for fields in self.LANGUAGE_FIELDS.values() for name in fields]
        before = (
            None
            if self._state.adding
            else type(self)._default_manager.filter(pk=self.pk).values(*names).first()
        )

        def previous(language: str) -> tuple[str, ...]:
            return tuple(before[n] for n in self.LANGUAGE_FIELDS[language]) if before else ()

        outdated = self.outdated_language
        changed = [
            language
            for language in self.LANGUAGE_FIELDS
            if self.text_of(language) != previous(language)
            or (getattr(self, f"{language}_changed_at") is None and any(self.text_of(language)))
        ]
        if not changed:
            return []
        now = timezone.now()
        for language in changed:
            setattr(self, f"{language}_changed_at", now if any(self.text_of(language)) else None)
            other = "en" if language == "ja" else "ja"
            added = before is not None and not any(previous(language))
            if (added or language == outdated) and any(self.text_of(other)):
                setattr(self, f"{other}_changed_at", now)
        return [f"{language}_changed_at" for language in self.LANGUAGE_FIELDS]

    @property
    def outdated_language(self) -> str | None:
        """ "en" when the Japanese changed after the English, "ja" the other way round."""
        ja, en = self.ja_changed_at, self.en_changed_at
        if ja is None or en is None or ja == en:
            return None
        return "en" if ja > en else "ja"

    def fill_slug(self) -> None:
        """An empty address becomes one made of ASCII: from the English title when there is one,
        otherwise the prefix and the date (notice-2026-11-28), then -2, -3 … until unused."""
        if self.slug:
            return
        english = self.text_of("en")[0]
        base = slugify(english)[:SLUG_LENGTH].strip("-") if english else ""
        if not base:
            day = timezone.localdate(self.slug_date())
            base = f"{self.SLUG_PREFIX}-{day.isoformat()}"
        manager: Any = type(self)._default_manager
        taken = set(
            manager.filter(slug__startswith=base).exclude(pk=self.pk).values_list("slug", flat=True)
        ) | set(self.reserved_slugs())
        candidate, number = base, 1
        while candidate in taken:
            number += 1
            candidate = f"{base}-{number}"
        self.slug = candidate

    def slug_date(self) -> datetime.datetime:
        return timezone.now()

    def reserved_slugs(self) -> tuple[str, ...]:
        return ()

    def removed_content(self) -> list[tuple[str, tuple[Removal, ...]]]:
        """For each Markdown field, what the sanitiser took out of it: (field label, removals)."""
        found = []
        for source in self.MARKDOWN_FIELDS:
            removed = render_markdown_report(getattr(self, source)).removed
            if removed:
                label = getattr(self._meta.get_field(source), "verbose_name", source)
                found.append((str(label), removed))
        return found


class CheckTopic(models.Model):
    """A finding of the self-check. Staff link notices and FAQ entries to topics; the check
    result then shows the published content linked to each of its findings. The rows are the
    check's finding codes, created by a migration; staff choose among them, never add one."""

    class Code(models.TextChoices):
        MAILBOX_DIFFERS = Finding.MAILBOX_DIFFERS.value, _("Sender is another mailbox")
        DOMAIN_DIFFERS = Finding.DOMAIN_DIFFERS.value, _("Sender is on another service domain")
        OUTSIDE_SERVICE = Finding.OUTSIDE_SERVICE.value, _("Sender is outside the service")
        NO_SPF = Finding.NO_SPF.value, _("Sender's domain publishes no SPF")
        SPF_ERROR = Finding.SPF_ERROR.value, _("SPF record broken or DNS failure")
        ADDRESSES_DISAGREE = Finding.ADDRESSES_DISAGREE.value, _("IPv4 and IPv6 results differ")
        NEWLY_FAILING = Finding.NEWLY_FAILING.value, _("Passed before the change, fails from it")
        ALWAYS_FAILING = Finding.ALWAYS_FAILING.value, _("Failed before the change too")
        DMARC_ENFORCED = Finding.DMARC_ENFORCED.value, _("Domain asks recipients to junk or refuse")

    code = models.CharField(_("finding"), max_length=40, choices=Code.choices, unique=True)

    class Meta:
        verbose_name = _("check finding")
        verbose_name_plural = _("check findings")
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.get_code_display())


class NoticeQuerySet(models.QuerySet["Notice"]):
    def published(self, now: datetime.datetime | None = None) -> NoticeQuerySet:
        """Visible to the public: not a draft, its time has come and has not passed."""
        now = now or timezone.now()
        return self.filter(is_draft=False, publish_from__lte=now).filter(
            models.Q(publish_until__isnull=True) | models.Q(publish_until__gt=now)
        )


class Notice(BilingualContent):
    LANGUAGE_FIELDS = {"ja": ("title_ja", "body_ja"), "en": ("title_en", "body_en")}
    MARKDOWN_FIELDS = {"body_ja": "body_ja_html", "body_en": "body_en_html"}
    SLUG_PREFIX = "notice"

    class Category(models.TextChoices):
        SPEC_CHANGE = "spec_change", _("Service changes")
        MAINTENANCE = "maintenance", _("Maintenance")
        INCIDENT = "incident", _("Incidents")
        SECURITY = "security", _("Security")
        INFORMATION = "information", _("Information")

    class Importance(models.TextChoices):
        NORMAL = "normal", _("Normal")
        IMPORTANT = "important", _("Important")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")
        EXPIRED = "expired", _("Ended")

    title_ja = models.CharField(_("title (Japanese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        blank=True,
        help_text=_(
            "The notice's address: /notices/<slug>/. Letters, digits and hyphens. Left empty, "
            "it is made from the English title, or from the date (notice-2026-04-01)."
        ),
    )
    body_ja = models.TextField(_("body (Japanese)"), help_text=MARKDOWN_HELP)
    body_en = models.TextField(_("body (English)"), blank=True, help_text=MARKDOWN_HELP)
    # The bodies rendered and sanitised once, on save, so pages only output them.
    body_ja_html = models.TextField(editable=False, blank=True, default="")
    body_en_html = models.TextField(editable=False, blank=True, default="")
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.INFORMATION
    )
    importance = models.CharField(
        _("importance"), max_length=10, choices=Importance.choices, default=Importance.NORMAL
    )
    publish_from = models.DateTimeField(
        _("publish from"),
        default=timezone.now,
        db_index=True,
        help_text=_("The date shown on the notice. A future time schedules it."),
    )
    publish_until = models.DateTimeField(
        _("publish until"),
        null=True,
        blank=True,
        help_text=_("Optional. The notice disappears from the site at this time."),
    )
    is_draft = models.BooleanField(
        _("draft"),
        default=True,
        help_text=_("Drafts are never shown to the public. Staff can preview them."),
    )
    service_domains = models.ManyToManyField(
        "mailcheck.ServiceDomain",
        verbose_name=_("service domains concerned"),
        blank=True,
        related_name="notices",
    )
    check_topics = models.ManyToManyField(
        CheckTopic,
        verbose_name=_("shown with these check findings"),
        blank=True,
        related_name="notices",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    history = HistoricalRecords()

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-publish_from", "-id"]

    def __str__(self) -> str:
        return self.title_ja

    def get_absolute_url(self) -> str:
        return reverse("notice_detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        self.fill_slug()  # Before the uniqueness check, which follows clean().
        if self.slug == "feed":
            # /notices/feed/ is the RSS feed, so a notice cannot have that address.
            errors["slug"] = ValidationError(_("This address is taken by the feed."), code="taken")
        if self.publish_from and self.publish_until and self.publish_until <= self.publish_from:
            errors["publish_until"] = ValidationError(
                _("The end must come after the start of publication."), code="ends_before_start"
            )
        if bool(self.title_en.strip()) != bool(self.body_en.strip()):
            field = "body_en" if self.title_en.strip() else "title_en"
            errors[field] = ValidationError(
                _("Give both the English title and body, or neither."), code="half_translated"
            )
        if errors:
            raise ValidationError(errors)

    def slug_date(self) -> datetime.datetime:
        return self.publish_from or timezone.now()

    def reserved_slugs(self) -> tuple[str, ...]:
        return ("feed",)

    def status(self, now: datetime.datetime | None = None) -> str:
        now = now or timezone.now()
        if self.is_draft:
            return self.Status.DRAFT
        if self.publish_from > now:
            return self.Status.SCHEDULED
        if self.publish_until and self.publish_until <= now:
            return self.Status.EXPIRED
        return self.Status.PUBLISHED

    def is_public(self) -> bool:
        return self.status() == self.Status.PUBLISHED

    @property
    def title(self) -> str:
        return with_facts(self.title_en if self.language == "en" else self.title_ja)

    @property
    def body_html(self) -> SafeString:
        return html_with_facts(self.body_en_html if self.language == "en" else self.body_ja_html)

    @property
    def is_important(self) -> bool:
        return self.importance == self.Importance.IMPORTANT


class FaqCategory(models.Model):
    name_ja = models.CharField(_("name (Japanese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("FAQ category")
        verbose_name_plural = _("FAQ categories")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name_ja

    def get_absolute_url(self) -> str:
        return reverse("faq") + f"#{self.slug}"

    @property
    def name(self) -> str:
        return self.name_en if current_language() == "en" and self.name_en else self.name_ja


# Katakana words are written with or without their final long vowel mark (フォルダー and
# フォルダ, サーバー and サーバ: JIS Z 8301 allows both), so search ignores a mark that ends one.
KATAKANA = "\u30a1-\u30fa"
FINAL_LONG_VOWEL = re.compile(f"(?<=[{KATAKANA}])\u30fc+(?![{KATAKANA}\u30fc])")
SYNONYM_SEPARATORS = re.compile(r"[,、，\n]+")


def fold_for_search(text: str) -> str:
    """The form in which FAQ text and queries are compared: NFKC (full-width Latin and
    half-width katakana to their usual forms), case folded, without word-final long vowels."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return FINAL_LONG_VOWEL.sub("", folded)


class FaqEntryQuerySet(models.QuerySet["FaqEntry"]):
    def published(self) -> FaqEntryQuerySet:
        return self.filter(is_published=True)

    def search(self, query: str) -> FaqEntryQuerySet:
        """Every word of the query must appear in the question or answer, in either language,
        itself or as one of its synonyms. Japanese is written without spaces, so a word is
        whatever the customer typed between spaces (full-width ones too), matched as a part."""
        groups = SYNONYM_SNAPSHOT.get()
        entries = self
        for word in fold_for_search(query).split():
            match = models.Q()
            for variant in synonym_variants(word, groups):
                match |= models.Q(search_text__contains=variant)
            entries = entries.filter(match)
        return entries


def synonym_variants(word: str, groups: tuple[tuple[str, ...], ...]) -> set[str]:
    """The word and every word made by putting a synonym in place of a term it contains:
    with the group (スパム, 迷惑メール), スパムフォルダ also finds 迷惑メールフォルダ."""
    variants = {word}
    for terms in groups:
        for term in terms:
            if term in word:
                variants.update(word.replace(term, other) for other in terms)
    return variants


class FaqEntry(BilingualContent):
    LANGUAGE_FIELDS = {"ja": ("question_ja", "answer_ja"), "en": ("question_en", "answer_en")}
    MARKDOWN_FIELDS = {"answer_ja": "answer_ja_html", "answer_en": "answer_en_html"}
    SLUG_PREFIX = "faq"

    question_ja = models.CharField(_("question (Japanese)"), max_length=300)
    question_en = models.CharField(_("question (English)"), max_length=300, blank=True)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        blank=True,
        help_text=_(
            "The answer's address: /faq/<slug>/ and the anchor #<slug> on /faq/. Left empty, "
            "it is made from the English question, or from the date (faq-2026-04-01)."
        ),
    )
    answer_ja = models.TextField(_("answer (Japanese)"), help_text=MARKDOWN_HELP)
    answer_en = models.TextField(_("answer (English)"), blank=True, help_text=MARKDOWN_HELP)
    # The answers rendered and sanitised once, on save, so pages only output them.
    answer_ja_html = models.TextField(editable=False, blank=True, default="")
    answer_en_html = models.TextField(editable=False, blank=True, default="")
    # Both languages' question and answer in fold_for_search's form, for the search.
    search_text = models.TextField(editable=False, blank=True, default="")
    category = models.ForeignKey(
        FaqCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="entries"
    )
    position = models.PositiveIntegerField(
        _("position"),
        blank=True,
        help_text=_("Order within the category. Left empty, the entry goes to the end."),
    )
    is_published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("Unpublished entries are never shown to the public. Staff can preview them."),
    )
    related_notices = models.ManyToManyField(
        Notice, verbose_name=_("related notices"), blank=True, related_name="faq_entries"
    )
    check_topics = models.ManyToManyField(
        CheckTopic,
        verbose_name=_("shown with these check findings"),
        blank=True,
        related_name="faq_entries",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["search_text"])

    objects = FaqEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")
        ordering = ["category__position", "position", "id"]

    def __str__(self) -> str:
        return self.question_ja

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_text = fold_for_search("\n".join(self.text_of("ja") + self.text_of("en")))
        if self.position is None and self.category_id is not None:
            # A new entry goes to the end of its category.
            last = FaqEntry.objects.filter(category_id=self.category_id).aggregate(
                last=models.Max("position")
            )["last"]
            self.position = (last or 0) + 1
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text", "position"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("faq_detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        self.fill_slug()  # Before the uniqueness check, which follows clean().
        if bool(self.question_en.strip()) != bool(self.answer_en.strip()):
            field = "answer_en" if self.question_en.strip() else "question_en"
            raise ValidationError(
                {field: _("Give both the English question and answer, or neither.")},
                code="half_translated",
            )

    @property
    def question(self) -> str:
        return with_facts(self.question_en if self.language == "en" else self.question_ja)

    @property
    def answer_html(self) -> SafeString:
        return html_with_facts(
            self.answer_en_html if self.language == "en" else self.answer_ja_html
        )


class SearchSynonym(models.Model):
    """A group of words customers use for the same thing; a FAQ search for one finds answers
    written with any other. Edited by the support desk in the admin."""

    terms = models.TextField(
        _("words with the same meaning"),
        help_text=_(
            "Separated by commas or new lines, for example: スパム, spam, 迷惑メール. Full-width "
            "and half-width letters and a final long vowel mark (フォルダー, フォルダ) need "
            "not be listed: the search treats them as the same anyway."
        ),
    )

    class Meta:
        verbose_name = _("search synonym")
        verbose_name_plural = _("search synonyms")
        ordering = ["id"]

    def __str__(self) -> str:
        return ", ".join(self.term_list())

    def clean(self) -> None:
        if len(self.term_list()) < 2:
            raise ValidationError(
                {"terms": _("Give at least two words, separated by a comma.")}, code="too_few"
            )

    def term_list(self) -> list[str]:
        """The group's words in the search's folded form, each once."""
        terms = (fold_for_search(t).strip() for t in SYNONYM_SEPARATORS.split(self.terms))
        return list(dict.fromkeys(" ".join(t.split()) for t in terms if t.strip()))


def load_synonyms() -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(group.term_list()) for group in SearchSynonym.objects.all())


SYNONYM_SNAPSHOT: Snapshot[tuple[tuple[str, ...], ...]] = Snapshot(
    "portal-search-synonyms", load_synonyms
)


# The notices and FAQ entries a check result may link, kept in the shared cache (see
# mailcheck/snapshots.py) so that a warm check page reads no row. The snapshot holds every
# candidate with its publication window; the window is applied at each request, because a
# scheduled notice becomes public when its time comes, with no save to renew the snapshot.

RELATED_LIMIT = 6


@dataclass(frozen=True)
class RelatedCandidates:
    notices: tuple[tuple[frozenset[str], Notice], ...]
    faq_entries: tuple[tuple[frozenset[str], FaqEntry], ...]


def topic_codes(through: Any, owner: str) -> dict[int, frozenset[str]]:
    codes: dict[int, set[str]] = {}
    for owner_id, code in through.objects.values_list(f"{owner}_id", "checktopic__code"):
        codes.setdefault(owner_id, set()).add(code)
    return {owner_id: frozenset(found) for owner_id, found in codes.items()}


def load_related_candidates() -> RelatedCandidates:
    notice_codes = topic_codes(Notice.check_topics.through, "notice")
    entry_codes = topic_codes(FaqEntry.check_topics.through, "faqentry")
    # Not drafts and not unpublished: no later time can make those public without a save.
    notices = Notice.objects.filter(is_draft=False, pk__in=notice_codes).defer(
        "body_ja", "body_en", "body_ja_html", "body_en_html"
    )
    entries = (
        FaqEntry.objects.published()
        .filter(pk__in=entry_codes)
        .select_related("category")
        .defer("answer_ja", "answer_en", "answer_ja_html", "answer_en_html")
    )
    return RelatedCandidates(
        notices=tuple((notice_codes[n.pk], n) for n in notices),
        faq_entries=tuple((entry_codes[e.pk], e) for e in entries),
    )


RELATED_SNAPSHOT: Snapshot[RelatedCandidates] = Snapshot(
    "portal-related-content", load_related_candidates
)


def related_to_findings(
    codes: Iterable[str], now: datetime.datetime | None = None
) -> tuple[list[Notice], list[FaqEntry]]:
    """Published notices and FAQ entries that staff linked to any of these finding codes, in
    the order of their lists, at most RELATED_LIMIT of each."""
    wanted = frozenset(codes)
    if not wanted:
        return [], []
    now = now or timezone.now()
    candidates = RELATED_SNAPSHOT.get()
    notices = [
        n
        for topics, n in candidates.notices
        if topics & wanted and n.status(now) == Notice.Status.PUBLISHED
    ]
    entries = [e for topics, e in candidates.faq_entries if topics & wanted]
    return notices[:RELATED_LIMIT], entries[:RELATED_LIMIT]


def content_changed(**kwargs: Any) -> None:
    RELATED_SNAPSHOT.invalidate_on_commit()


def content_migrated(app_config: Any, **kwargs: Any) -> None:
    if app_config.name == "portal":
        RELATED_SNAPSHOT.invalidate()
        SYNONYM_SNAPSHOT.invalidate()


def synonyms_changed(**kwargs: Any) -> None:
    SYNONYM_SNAPSHOT.invalidate_on_commit()


for _model in (Notice, FaqEntry, FaqCategory, CheckTopic):
    post_save.connect(content_changed, sender=_model, dispatch_uid=f"{_model.__name__}:saved")
    post_delete.connect(content_changed, sender=_model, dispatch_uid=f"{_model.__name__}:deleted")
for _through in (Notice.check_topics.through, FaqEntry.check_topics.through):
    m2m_changed.connect(content_changed, sender=_through, dispatch_uid=f"{_through.__name__}:m2m")
post_save.connect(synonyms_changed, sender=SearchSynonym, dispatch_uid="SearchSynonym:saved")
post_delete.connect(synonyms_changed, sender=SearchSynonym, dispatch_uid="SearchSynonym:deleted")
post_migrate.connect(content_migrated, dispatch_uid="portal:migrated")
