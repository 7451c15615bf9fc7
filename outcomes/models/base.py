"""What every catalogue model shares, and names in the page's language."""

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


def sort_name(name):  # for A–Z: without a leading “The”
    return re.sub(r"^the\s+", "", name.strip(), flags=re.IGNORECASE)


def optional_fk(to, **options):
    return models.ForeignKey(to, models.PROTECT, null=True, blank=True, **options)


class CatalogueQuerySet(models.QuerySet):
    def get_by_natural_key(self, *key):
        return self.get(**dict(zip(self.model.NATURAL_KEY, key, strict=True)))

    def formerly(self, slug):
        """The record that last had `slug` (from its history), or None."""
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
    """A record with its history, known to fixtures by the values of NATURAL_KEY's lookups
    (no `dependencies`: dumpdata orders records after the models their keys name)."""

    NATURAL_KEY: tuple[str, ...]
    name: "models.CharField[str, str]"

    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

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


# `chinese_page_` below: chinese_page(), when the caller asked it once for many names.
def chinese_page(known=None):
    return (get_language() or "").startswith("zh") if known is None else known


def in_page_language(english, chinese, chinese_page_=None):
    return chinese if chinese and chinese_page(chinese_page_) else english


@lru_cache(maxsize=8192)
def pinyin(text):  # the order Chinese readers expect
    return " ".join(lazy_pinyin(text)).lower()


def in_page_order(english_key, chinese, chinese_page_=None):
    """A name's sort key: on a Chinese page the pinyin of its Chinese, if any."""
    return pinyin(chinese) if chinese and chinese_page(chinese_page_) else english_key.lower()


def ordered(records, name="name", english_key=None, of=None):
    """`records` sorted by `name` in the page's language, or by that of `of(record)`."""
    chinese = chinese_page()

    def key(record):
        named = of(record) if of else record
        english = getattr(named, english_key or name)
        return in_page_order(english, getattr(named, f"{name}_zh", ""), chinese)

    return sorted(records, key=key)


def unreviewed_mark():
    """Follows an unreviewed Chinese name: words, which a screen reader reads too."""
    return format_html(
        '<small class="unreviewed">{}</small>', gettext("(translation not reviewed)")
    )


def shown_name(english, chinese, reviewed=True, chinese_page_=None):
    """A name in a page's text (HTML: never in an attribute): on a Chinese page its Chinese,
    marked until reviewed, or else the English marked lang="en" for screen readers."""
    if not chinese_page(chinese_page_):
        return english
    if not chinese:
        return format_html('<span lang="en">{}</span>', english) if english else english
    return chinese if reviewed else format_html("{} {}", chinese, unreviewed_mark())


def localized(record, name):
    return in_page_language(getattr(record, name), getattr(record, f"{name}_zh", ""))


class Translated(CatalogueModel):
    """A record with Chinese `<name>_zh` columns for the names in CHINESE: who made them,
    and whether someone who knows the official wording has reviewed them."""

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
