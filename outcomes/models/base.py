"""What every catalogue model shares: the QuerySet that announces its updates, natural
keys, addresses by slug, and the Chinese columns of a translated record."""

import re
from functools import lru_cache
from operator import attrgetter

from django.db import models
from django.dispatch import Signal
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from pypinyin import lazy_pinyin
from simple_history.models import HistoricalRecords

# QuerySet.update() sends no post_save: CatalogueQuerySet announces it, before and after,
# with the rows (`rows`, a QuerySet by id), the fields it sets, and a dict (`notes`) that
# listeners fill before and read after (outcomes/dataversion.py).
rows_updating = Signal()
rows_updated = Signal()

# Columns the catalogue works out itself: updating only these is not a change.
DERIVED = frozenset({"search_text"})


def sort_name(name):
    """The name an A–Z list sorts by: without a leading “The”."""
    return re.sub(r"^the\s+", "", name.strip(), flags=re.IGNORECASE)


def optional_fk(to, **options):
    """A foreign key that may be empty; the record it names cannot be deleted while named."""
    return models.ForeignKey(to, models.PROTECT, null=True, blank=True, **options)


class CatalogueQuerySet(models.QuerySet):
    """The QuerySet of every catalogue model: update() announces what it changes."""

    def get_by_natural_key(self, *key):
        return self.get(**dict(zip(self.model.NATURAL_KEY, key, strict=True)))

    def formerly(self, slug):
        """The record that last had `slug` (its history keeps every slug it had), or None."""
        ids = self.model.history.filter(slug=slug).order_by("-history_date").values("id")
        return self.filter(pk__in=ids[:1]).first()

    def update(self, **kwargs):
        if set(kwargs) <= DERIVED:
            return super().update(**kwargs)
        ids = list(self.values_list("pk", flat=True))
        if not ids:
            return 0
        # The rows by id: the update may change what the filter selects.
        rows = self.model._base_manager.filter(pk__in=ids)
        announced = {"sender": self.model, "rows": rows, "fields": frozenset(kwargs), "notes": {}}
        rows_updating.send(**announced)
        updated = super().update(**kwargs)
        if updated:
            rows_updated.send(**announced)
        return updated


class CatalogueModel(models.Model):
    """A catalogue record: it keeps its history, and fixtures know it by the values of the
    lookups in NATURAL_KEY (natural_key needs no `dependencies`: dumpdata orders records
    after the models that their foreign keys name)."""

    NATURAL_KEY: tuple[str, ...]

    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True

    def natural_key(self):
        return tuple(attrgetter(lookup.replace("__", "."))(self) for lookup in self.NATURAL_KEY)


class SlugModel(CatalogueModel):
    """A record known by its slug, in fixtures and in its address ("outcomes:<model name>")."""

    NATURAL_KEY = ("slug",)
    slug: "models.SlugField[str, str]"

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        abstract = True

    def get_absolute_url(self):
        return reverse(f"outcomes:{self._meta.model_name}", args=[self.slug])


def chinese_page():
    return (get_language() or "").startswith("zh")


def in_page_language(english, chinese, chinese_page_=None):
    """`chinese` on a Chinese page where it is filled, else `english`. `chinese_page_`:
    chinese_page(), when the caller asked it once for many names."""
    if chinese and (chinese_page() if chinese_page_ is None else chinese_page_):
        return chinese
    return english


@lru_cache(maxsize=8192)
def pinyin(text):
    """A Chinese name's sort key: its pinyin (pypinyin), the order Chinese readers expect."""
    return " ".join(lazy_pinyin(text)).lower()


def in_page_order(english_key, chinese, chinese_page_=None):
    """A name's sort key in the page's language: the pinyin of its Chinese on a Chinese page
    where it has one, else `english_key` (its English sort name)."""
    if chinese and (chinese_page() if chinese_page_ is None else chinese_page_):
        return pinyin(chinese)
    return english_key.lower()


def ordered(records, name="name", english_key=None, of=None):
    """`records` sorted by their `name` in the page's language (in_page_order), or by that
    of `of(record)`, a record each names (a membership's country)."""
    chinese = chinese_page()

    def key(record):
        named = of(record) if of else record
        english = getattr(named, english_key or name)
        return in_page_order(english, getattr(named, f"{name}_zh", ""), chinese)

    return sorted(records, key=key)


def unreviewed_mark():
    """What follows a Chinese name or title no one has reviewed yet, on every page that
    shows it: words, which a screen reader reads too."""
    return format_html(
        '<small class="unreviewed">{}</small>', gettext("(translation not reviewed)")
    )


def shown_name(english, chinese, reviewed=True, chinese_page_=None):
    """A name or title as a page's text shows it: on a Chinese page its Chinese, followed
    by unreviewed_mark() until reviewed, or else the English marked lang="en" for screen
    readers (HTML: never in an attribute); on an English page the English."""
    if not (chinese_page() if chinese_page_ is None else chinese_page_):
        return english
    if not chinese:
        return format_html('<span lang="en">{}</span>', english) if english else english
    return chinese if reviewed else format_html("{} {}", chinese, unreviewed_mark())


def localized(record, name):
    """The record's `name` in the page's language (its `<name>_zh` column, where filled)."""
    return in_page_language(getattr(record, name), getattr(record, f"{name}_zh", ""))


class Translated(CatalogueModel):
    """A record whose names may have a Chinese rendering (`<name>_zh` columns beside the
    English ones, named in CHINESE): who made it, and whether someone who knows the
    official wording has reviewed it. Pages label an unreviewed translation as such."""

    CHINESE: tuple[str, ...] = ()

    translated_by = models.CharField(
        _("Chinese by"),
        max_length=200,
        blank=True,
        help_text=_("Who made the Chinese (e.g. “SIRONET secretariat”, “catalogue editors”)."),
    )
    translation_reviewed = models.BooleanField(
        _("Chinese reviewed"),
        default=False,
        help_text=_("Tick once someone has checked the Chinese against official usage."),
    )

    class Meta:
        abstract = True
