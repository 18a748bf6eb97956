"""Full-text search over the stored documents, answered by the database.

An inverted index in three tables (migration 9): ``search_terms`` numbers each search key,
``search_documents`` numbers each document (``doc_no``), and ``search_postings`` holds one
row per (key, document) with the key's frequency there. The Store writes a document's
postings in the transaction that writes the document and deletes them with it, so the index
is never stale; a database older than version 9 gets its index when it is migrated.

Why not DuckDB's ``fts`` extension: it is not in the duckdb wheel, ``INSTALL fts`` needs
the internet, and PostgreSQL's ``tsvector`` tokenizes and stems otherwise. Why integer
keys: DuckDB scans the postings (no index: an ART index on tens of millions of rows costs
more disk and memory than the table), and an integer column scans several times faster
than strings; PostgreSQL reads them through their primary key, ``(term_id, doc_no)``, which
migration 10 gives them.

Words (``\\w+``) of a document's kept paragraphs (all its text if none is kept) and of its
title are accent-folded and reduced to their Snowball French stem. A document must contain
every query word and ranks by term frequency weighted by inverse document frequency,
``sum((1 + ln tf) * ln(1 + N / df))``, so that words such as "de" that every article has
weigh almost nothing; ties by ``doc_path``. The spans and snippet of a hit are found again
in its stored text, for the page of hits returned only.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

import snowballstemmer

from veille.lexicon import fold
from veille.model import DocumentResult

if TYPE_CHECKING:
    from veille.store import Store

WORD = re.compile(r"\w+")
SNIPPET_RADIUS = 80
MAX_SPANS = 20
#: Documents indexed per statement when an existing database gets its index.
BACKFILL_BATCH = 500
#: Decimals of a hit's score, which the ranking compares (ties then go by doc_path). SQL
#: ranks by a cast to NUMERIC, which rounds as Python's round() does but for a score within
#: a rounding error of a half (about one in 10^12).
SCORE_DECIMALS = 4

Span = tuple[int, int]


@lru_cache(maxsize=200_000)
def search_key(word: str) -> str:
    """The index key of a word: accents folded first, then the Snowball French stem.

    Folding before stemming makes "securite" and "sécurité" one key, so a query typed
    without accents finds accented text (and the reverse).
    """
    folded = fold(word).replace("œ", "oe").replace("æ", "ae")
    return _stemmer().stemWord(folded)


@cache
def _stemmer() -> Any:
    return snowballstemmer.stemmer("french")


def query_keys(query: str) -> list[str]:
    """The distinct keys of a query's words, in the order they come."""
    return list(dict.fromkeys(search_key(word) for word in WORD.findall(query)))


@dataclass(frozen=True, slots=True)
class Searchable:
    """A document as the index reads it: ``kept`` are its kept paragraphs' spans."""

    doc_id: str
    doc_path: str
    title: str | None
    text: str
    kept: Sequence[Span]

    @classmethod
    def of(cls, result: DocumentResult) -> Searchable:
        document = result.document
        kept = [(p.start, p.end) for p in result.clean.paragraphs if p.kept]
        return cls(document.doc_id, document.doc_path, document.title, document.text, kept)

    def searched_spans(self) -> Sequence[Span]:
        return self.kept or [(0, len(self.text))]

    def term_frequencies(self) -> Counter[str]:
        """How often each key occurs in the title and the searched text."""
        counts = Counter(search_key(word) for word in WORD.findall(self.title or ""))
        for start, end in self.searched_spans():
            counts.update(search_key(m[0]) for m in WORD.finditer(self.text, start, end))
        return counts

    def spans_of(self, keys: set[str]) -> list[Span]:
        """Where words of ``keys`` occur in the searched text, in order (title hits have
        no offset)."""
        return sorted(
            match.span()
            for start, end in self.searched_spans()
            for match in WORD.finditer(self.text, start, end)
            if search_key(match[0]) in keys
        )


# -- writing the index (called by veille.store inside its transactions) ------------------------


def index_documents(store: Store, documents: Sequence[Searchable]) -> None:
    """Write the postings of ``documents`` (not indexed yet), in a few statements."""
    if not documents:
        return
    connection = store.connection
    numbered = connection.execute(
        "INSERT INTO search_documents SELECT nextval('search_doc_nos'), doc_id, doc_path"
        " FROM (SELECT unnest(CAST(? AS VARCHAR[])) AS doc_id,"
        " unnest(CAST(? AS VARCHAR[])) AS doc_path) d RETURNING doc_id, doc_no",
        [[d.doc_id for d in documents], [d.doc_path for d in documents]],
    ).fetchall()
    doc_nos = dict(numbered)
    doc_column: list[int] = []
    term_column: list[str] = []
    tf_column: list[int] = []
    for document in documents:
        frequencies = document.term_frequencies()
        doc_column += [doc_nos[document.doc_id]] * len(frequencies)
        term_column += frequencies.keys()
        tf_column += frequencies.values()
    if not term_column:
        return
    # Only new keys take a number (a sequence value per candidate would run out of INTEGER
    # on a large store); ON CONFLICT for a concurrent writer on PostgreSQL.
    connection.execute(
        "INSERT INTO search_terms SELECT nextval('search_term_ids'), term FROM (SELECT DISTINCT"
        " unnest(CAST(? AS VARCHAR[])) AS term) t WHERE NOT EXISTS (SELECT 1 FROM search_terms s"
        " WHERE s.term = t.term) ON CONFLICT (term) DO NOTHING",
        [sorted(set(term_column))],
    )
    connection.execute(
        "INSERT INTO search_postings SELECT s.term_id, p.doc_no, p.tf FROM (SELECT"
        " unnest(CAST(? AS INTEGER[])) AS doc_no, unnest(CAST(? AS VARCHAR[])) AS term,"
        " unnest(CAST(? AS INTEGER[])) AS tf) p JOIN search_terms s ON s.term = p.term"
        " ORDER BY p.doc_no",
        [doc_column, term_column, tf_column],
    )


def forget_document(store: Store, doc_id: str) -> None:
    """Delete a document's postings (the keys stay numbered, harmlessly)."""
    row = store.connection.execute(
        "SELECT doc_no FROM search_documents WHERE doc_id = ?", [doc_id]
    ).fetchone()
    if row is not None:
        # By value, not by subquery: DuckDB skips the row groups whose doc_no range excludes it.
        store.connection.execute("DELETE FROM search_postings WHERE doc_no = ?", [row[0]])
        store.connection.execute("DELETE FROM search_documents WHERE doc_no = ?", [row[0]])


def index_all(store: Store) -> int:
    """Index every stored document not indexed yet (a database migrated to version 9);
    returns how many were."""
    connection = store.connection
    indexed = 0
    after = ""
    while True:
        rows = connection.execute(
            "SELECT doc_id, doc_path, title, text FROM documents d WHERE doc_id > ? AND NOT"
            " EXISTS (SELECT 1 FROM search_documents s WHERE s.doc_id = d.doc_id)"
            " ORDER BY doc_id LIMIT ?",
            [after, BACKFILL_BATCH],
        ).fetchall()
        if not rows:
            return indexed
        kept = _kept_spans(store, [row[0] for row in rows])
        index_documents(store, [Searchable(*row, kept.get(row[0], [])) for row in rows])
        indexed += len(rows)
        after = rows[-1][0]


def _kept_spans(store: Store, doc_ids: Sequence[str]) -> dict[str, list[Span]]:
    spans: dict[str, list[Span]] = {}
    marks = ", ".join("?" * len(doc_ids))
    # By doc_id alone, which DuckDB looks up in its index (with "kept AND" it scans).
    for doc_id, start, end, kept in store.connection.execute(
        "SELECT doc_id, start_offset, end_offset, kept FROM paragraphs"
        f" WHERE doc_id IN ({marks}) ORDER BY doc_id, position",
        list(doc_ids),
    ).fetchall():
        if kept:
            spans.setdefault(doc_id, []).append((start, end))
    return spans


# -- searching -------------------------------------------------------------------------------


def search(
    store: Store, query: str, limit: int, offset: int = 0
) -> tuple[int, list[dict[str, Any]]]:
    """The documents holding every word of ``query``, best first: how many, and the hits
    from ``offset`` on (at most ``limit``)."""
    keys = query_keys(query)
    if not keys:
        return 0, []
    marks = ", ".join("?" * len(keys))
    term_ids = dict(
        store.connection.execute(
            f"SELECT term, term_id FROM search_terms WHERE term IN ({marks})", keys
        ).fetchall()
    )
    if len(term_ids) < len(keys):
        return 0, []  # a word no document has
    # Counted apart: in a subquery, PostgreSQL may count again for every match.
    counted = store.connection.execute("SELECT count(*) FROM search_documents").fetchone()
    documents = int(counted[0]) if counted else 0
    matches = _matches_sql(keys, [int(term_ids[key]) for key in keys], documents)
    frequencies = ", ".join(f"m.tf{i}, m.df{i}" for i in range(len(keys)))
    rows = store.connection.execute(
        f"{matches} SELECT d.doc_id, count(*) OVER () AS total, {frequencies}"
        " FROM matches m JOIN search_documents d ON d.doc_no = m.doc_no"
        f" ORDER BY CAST(m.score AS NUMERIC(18, {SCORE_DECIMALS})) DESC,"
        f" {store.backend.binary('d.doc_path')}, d.doc_id LIMIT ? OFFSET ?",
        [int(limit), int(offset)],
    ).fetchall()
    if not rows:
        row = store.connection.execute(f"{matches} SELECT count(*) FROM matches").fetchone()
        return (int(row[0]) if row else 0), []
    page = _page_documents(store, [row[0] for row in rows])
    hits = []
    for doc_id, _total, *counts in rows:
        tfs, dfs = counts[0::2], counts[1::2]
        hits.append(_hit(page[doc_id], keys, tfs, dfs, documents))
    return int(rows[0][1]), hits


def _matches_sql(keys: list[str], term_ids: list[int], documents: int) -> str:
    """A WITH clause defining ``matches``: each document holding every key, with the key's
    frequency there (tf<i>), its document frequency (df<i>) and the score, summed in the
    order of the keys (floating-point sums depend on the order); ``documents`` is N."""
    values = ", ".join(f"({i}, {term_id})" for i, term_id in enumerate(term_ids))
    pivot = ", ".join(
        f"max(CASE WHEN k = {i} THEN tf END) AS tf{i}, max(CASE WHEN k = {i} THEN df END) AS df{i}"
        for i in range(len(keys))
    )
    score = " + ".join(
        f"(1 + ln(CAST(tf{i} AS DOUBLE PRECISION)))"
        f" * ln(1 + CAST({int(documents)} AS DOUBLE PRECISION) / df{i})"
        for i in range(len(keys))
    )
    return (
        f"WITH query_terms (k, term_id) AS (VALUES {values}),"
        " hits AS (SELECT q.k, p.doc_no, p.tf, count(*) OVER (PARTITION BY q.k) AS df"
        " FROM search_postings p JOIN query_terms q ON p.term_id = q.term_id"
        # Said again as a filter, which DuckDB applies while it scans (before the join).
        f" WHERE p.term_id IN ({', '.join(map(str, term_ids))})),"
        f" found AS (SELECT doc_no, {pivot} FROM hits GROUP BY doc_no"
        f" HAVING count(*) = {len(keys)}),"
        f" matches AS (SELECT f.*, {score} AS score FROM found f)"
    )


def _page_documents(store: Store, doc_ids: list[str]) -> dict[str, dict[str, Any]]:
    marks = ", ".join("?" * len(doc_ids))
    kept = _kept_spans(store, doc_ids)
    rows = store.connection.execute(
        f"SELECT doc_id, doc_path, title, published, text FROM documents WHERE doc_id IN ({marks})",
        doc_ids,
    ).fetchall()
    keys = ("doc_id", "doc_path", "title", "published", "text")
    return {
        row[0]: {**dict(zip(keys, row, strict=True)), "kept": kept.get(row[0], [])} for row in rows
    }


def _hit(
    document: dict[str, Any], keys: list[str], tfs: list[int], dfs: list[int], total: int
) -> dict[str, Any]:
    score = 0.0
    for tf, df in zip(tfs, dfs, strict=True):
        score += (1 + math.log(tf)) * math.log(1 + total / df)
    searchable = Searchable(
        document["doc_id"],
        document["doc_path"],
        document["title"],
        document["text"],
        document["kept"],
    )
    spans = searchable.spans_of(set(keys))
    return {
        **{k: document[k] for k in ("doc_id", "doc_path", "title", "published")},
        "score": round(score, SCORE_DECIMALS),
        "term_frequencies": dict(zip(keys, map(int, tfs), strict=True)),
        "spans": [{"start": s, "end": e} for s, e in spans[:MAX_SPANS]],
        "snippet": snippet(document["text"], spans[0]) if spans else None,
    }


def snippet(text: str, span: Span) -> dict[str, Any]:
    start = max(0, span[0] - SNIPPET_RADIUS)
    end = min(len(text), span[1] + SNIPPET_RADIUS)
    return {"start": start, "end": end, "text": text[start:end]}
