"""Text search over outcomes, the same on PostgreSQL and SQLite (docs/data.md). An outcome's
search document (`Outcome.search_text`) is its searchable strings in both languages as `words`
(queries too) between single spaces, each English word followed by its Porter stem when the
stem does not start it ("surgery surgeri"). Each word of a query must match: a Chinese word
anywhere (LIKE: 缅 finds 缅甸), any other by its stem starting a word of the document
("school" finds "schools"), by a GIN index on PostgreSQL (which ranks), or FTS5 on SQLite."""

import functools
import logging
import re
import threading

import jieba
import snowballstemmer
from django.contrib.postgres.search import SearchVectorField
from django.db.models.expressions import Col, Expression
from django.utils.html import escape
from django.utils.safestring import mark_safe
from opencc import OpenCC
from rapidfuzz import fuzz, process

MAX_WORDS = 10
FTS_QUERY = "SELECT rowid FROM outcome_fts WHERE outcome_fts MATCH %s"
# The triggers that keep SQLite's index up to date (migration 0003; outcomes/checks.py).
FTS_TRIGGERS = ("outcome_fts_insert", "outcome_fts_delete", "outcome_fts_update")


class StoredVector(Expression):
    """On PostgreSQL, the stored tsvector of an outcome's search document (a generated column
    with a GIN index, migration 0009). The model does not declare it (SQLite has no such
    column): this names it under whatever alias the query gives the outcomes table."""

    output_field = SearchVectorField()

    def resolve_expression(self, query=None, *args, **kwargs):
        column = SearchVectorField()
        column.set_attributes_from_name("search_vector")
        column.model = query.model
        return Col(query.get_initial_alias(), column, self.output_field)


SEARCH_VECTOR = StoredVector()

# CJK ideographs (unified, extension A, compatibility).
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
WORD_RE = re.compile(rf"[{HAN}]+|[^\W_{HAN}]+")
HAN_RUN_RE = re.compile(rf"[{HAN}]+")

jieba.setLogLevel(logging.WARNING)


def load_segmenter():
    """Load jieba's dictionary at a worker's start (gunicorn.conf.py), not in a search."""
    jieba.initialize()


_to_simplified = OpenCC("t2s")


def is_chinese(word):
    return bool(HAN_RUN_RE.search(word))


def words(text):
    """The words of `text`, in order: lower case; runs of letters and digits, Chinese folded
    to simplified (OpenCC t2s: 緬甸 is 缅甸) and cut into words (jieba)."""
    found: list[str] = []
    for run in WORD_RE.findall(text.lower()):
        if is_chinese(run):
            found += (word for word in jieba.cut(_to_simplified.convert(run)) if word.strip())
        else:
            found.append(run)
    return found


_porter = threading.local()  # a snowballstemmer stemmer is not safe to share across threads


@functools.lru_cache(maxsize=100_000)
def stem(word):
    """Porter's stem of an English word (`word` itself for anything else)."""
    if not (word.isascii() and word.isalpha()):
        return word
    if not hasattr(_porter, "stemmer"):
        _porter.stemmer = snowballstemmer.stemmer("porter")
    return _porter.stemmer.stemWord(word) or word  # Porter's stem of "s" is ""


def search_document(*parts):
    """An outcome's search document (above) from its searchable strings."""
    found = []
    for word in (word for part in parts if part for word in words(part)):
        found.append(word)
        if not word.startswith(stemmed := stem(word)):
            found.append(stemmed)
    return " " + " ".join(found) + " "


def terms(query):
    """The words a search looks for (at most MAX_WORDS): what identifies a search.
    None without a query; () for a query without words, which finds nothing."""
    return None if not query else tuple(words(query)[:MAX_WORDS])


# Snippets: at most this many characters of text around the first word found.
SNIPPET_LENGTH = 160


def _found(text, terms_):
    """(start, end) of each stretch of `text` a search for `terms_` finds, in order: a
    word, or a Chinese term within a run of Chinese."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few letters lower-case to two characters
        lowered = "".join(character.lower()[0] for character in text)
    found = []
    chinese = [term for term in terms_ if is_chinese(term)]
    for run in HAN_RUN_RE.finditer(lowered) if chinese else ():
        folded = _to_simplified.convert(run[0])
        for term in chinese if len(folded) == len(run[0]) else ():
            if (at := folded.find(term)) >= 0:
                found.append((run.start() + at, run.start() + at + len(term)))
                break
    stems = tuple(stem(term) for term in terms_ if not is_chinese(term))
    if stems:
        # A word whose stem starts with a term's stem starts with all but the last two
        # letters of it (Porter rewrites at most two letters of the end of what it
        # keeps: "surgery", "surgeri"): only such words are stemmed and compared.
        starts = "|".join(re.escape(term[: max(len(term) - 2, 1)]) for term in stems)
        candidates = re.compile(rf"(?<![^\W_])(?:{starts})[^\W_{HAN}]*")
        for match in candidates.finditer(lowered):
            if match[0].startswith(stems) or stem(match[0]).startswith(stems):
                found.append(match.span())
    return sorted(found)


def snippet(text, terms_):
    """A short excerpt of `text` around the first word a search for `terms_` finds,
    the words found in <mark>, the rest escaped; "" when it finds none in `text`."""
    marks = _found(text, terms_) if text and terms_ else []
    if not marks:
        return ""
    first = marks[0][0]
    start = max(0, first - SNIPPET_LENGTH // 3)
    if start:  # begin at a word
        space = text.find(" ", start, first)
        start = space + 1 if space >= 0 else start
    end = min(len(text), start + SNIPPET_LENGTH)
    if end < len(text):  # end at a word
        space = text.rfind(" ", first + 1, end)
        end = space if space >= 0 else end
    html, position = [], start
    for begin, finish in marks:
        if begin >= end:
            break
        finish = min(finish, end)
        html += [escape(text[position:begin]), "<mark>", escape(text[begin:finish]), "</mark>"]
        position = finish
    html.append(escape(text[position:end]))
    return mark_safe(  # noqa: S308 (escaped above)
        ("… " if start else "") + "".join(html).strip() + (" …" if end < len(text) else "")
    )


def vocabulary(documents):
    """The words of the search documents a suggestion may propose (not their stems), once."""
    found: set[str] = set()
    for document in documents:
        tokens = document.split()
        added = {stem(word) for word in tokens if not word.startswith(stem(word))}
        found.update(token for token in tokens if token not in added and len(token) > 2)
    return sorted(found)


# How alike (0-100, rapidfuzz's ratio) a word must be to a query word to be proposed.
SUGGESTION_CUTOFF = 75


def suggestion(terms_, known):
    """A query like `terms_` (the words of a query that found nothing) in which each
    word that starts no word of `known` (the catalogue's words) is replaced by the
    known word most like it; None when some word has none close enough."""
    corrected = []
    for term in terms_:
        if is_chinese(term) or term.isdigit() or any(w.startswith(stem(term)) for w in known):
            corrected.append(term)
            continue
        best = process.extractOne(term, known, scorer=fuzz.ratio, score_cutoff=SUGGESTION_CUTOFF)
        if best is None:
            return None
        corrected.append(best[0])
    return " ".join(corrected) if corrected != list(terms_) else None
