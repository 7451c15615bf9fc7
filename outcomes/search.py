"""Text search over outcomes, the same on PostgreSQL and SQLite.

Each outcome keeps a search document (`Outcome.search_text`): its title, text,
scope, programmes, organizations (names and acronyms), countries and regions,
lower-cased and reduced to words separated by single spaces. A query matches
the outcomes in which every one of its words starts a word ("school" finds
"schools"). PostgreSQL answers from a GIN index over the document's tsvector
and ranks the results; SQLite answers from an FTS5 index of the same words.
`Outcome.objects.search(query)` runs a search; this module says what is searched.
"""

import re

from django.contrib.postgres.search import SearchVector

MAX_WORDS = 10
FTS_QUERY = "SELECT rowid FROM outcome_fts WHERE outcome_fts MATCH %s"

# The expression the GIN index is built on (see the migration that adds it);
# queries must use the very same expression for PostgreSQL to use the index.
SEARCH_VECTOR = SearchVector("search_text", config="simple")


def words(text):
    """Lower-case words of `text`: letters and digits, nothing else."""
    return re.findall(r"[^\W_]+", text.lower())


def search_document(*parts):
    """The search document of an outcome, from its searchable strings."""
    return " " + " ".join(word for part in parts if part for word in words(part)) + " "


def terms(query):
    """The words a search looks for (at most MAX_WORDS): what identifies a search.
    None without a query; () for a query without words, which finds nothing."""
    return None if not query else tuple(words(query)[:MAX_WORDS])
