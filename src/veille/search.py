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

Scanning every posting grows with the store, so the postings are also packed by key
(migrations 13, 15 and 16): for each chunk of ``CHUNK_DOCUMENTS`` document numbers and each
key, one ``search_packed`` row lists the chunk's documents having the key (ascending) with
the key's frequency in each, found through an index on the key. A posting is a 32-bit
integer, its document's place in the chunk times 2^16 plus its frequency (``SATURATED`` for
that or more, when the frequency is read in ``search_postings``), and a list element holds
two of them (``BIGINT``, low half first): DuckDB reads a list element by element, so the
list reads in about half the time of one posting an element. A chunk is packed once a
document is numbered past it: when a Store that wrote the index closes (the end of an ingest
batch, of a watch page), after ``Store.rebuild_summaries`` and when a database is migrated to
version 16. A query reads its keys' packed lists and, in ``search_postings``, only the
postings of the documents numbered since (at the table's end, which DuckDB's zonemaps find,
as postings are appended in doc_no order). A document deleted from a packed chunk has its
postings recorded in ``search_deleted``, which queries leave out (document frequencies
included), until ``DELETED_REPACK`` of them have the chunks holding them packed again.

Where the database cannot change while it is open (the API's shared read-only DuckDB file),
the postings of the keys many documents hold are read once and kept (``PostingsCache``).

The lists are intersected and scored with NumPy, the score summed as ``_hit`` sums it with
Python's floats (the same value to the last bit), and ranked by the score rounded to
``SCORE_DECIMALS``: only the matches scoring at least as well as the last one of the page
(ties included) are looked up for their ``doc_path``, in SQL. The total is the exact number
of matches.

Words (``\\w+``) of a document's kept paragraphs (all its text if none is kept) and of its
title are accent-folded and reduced to their Snowball French stem. A document must contain
every query word and ranks by term frequency weighted by inverse document frequency,
``sum((1 + ln tf) * ln(1 + N / df))``, so that words such as "de" that every article has
weigh almost nothing; ties by ``doc_path`` (binary), then ``doc_id``. The spans and
snippet of a hit are found again in its stored text, for the page of hits returned only.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
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
#: Decimals of a hit's score, which the ranking compares (ties then go by doc_path): the
#: score as Python's round() gives it, for every match.
SCORE_DECIMALS = 4
#: The schema version that packs the postings by key (``search_chunks``, ``search_packed``)
#: two to a list element (migration 13 packed them as two lists, 15 one to an element; those
#: rows are read no longer).
PACKED_VERSION = 16
#: Document numbers per packed chunk: a query reads from ``search_postings`` the postings of
#: at most this many documents (those numbered since the last complete chunk). At most 2^15,
#: so that a packed posting, place * 2^16 + frequency, fits an INTEGER.
CHUNK_DOCUMENTS = 16_384
#: A packed posting's frequency bits, and the value that stands for that many or more.
FREQUENCY_BITS = 16
SATURATED = (1 << FREQUENCY_BITS) - 1
#: The bits of a packed posting: a list element holds two.
POSTING_BITS = 32
#: Chunks packed per statement, which bounds the memory of packing a large store at once.
PACK_BATCH = 8
#: Deleted postings that queries leave out before the chunks holding them are packed again.
DELETED_REPACK = 100_000
#: A key's frequencies up to this are weighed through a table, larger ones one by one.
WEIGHT_TABLE = 1024
#: The most sums of the keys' weights tabled for a query (``_scores``): 512 KB.
SUM_TABLE = 1 << 16
#: What a ``PostingsCache`` may hold (on top of DuckDB's buffer pool), and the fewest
#: postings a key must have to be kept there: reading fewer costs a few ms.
POSTINGS_CACHE_BYTES = 256 * 1024 * 1024
CACHED_POSTINGS = 1 << 16

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
    """Delete a document's postings (the keys stay numbered, harmlessly); those a packed
    chunk holds are recorded in ``search_deleted`` until the chunk is packed again."""
    row = store.connection.execute(
        "SELECT doc_no FROM search_documents WHERE doc_id = ?", [doc_id]
    ).fetchone()
    if row is None:
        return
    doc_no = int(row[0])
    # By value, not by subquery: DuckDB skips the row groups whose doc_no range excludes it.
    # Deleted before the chunks are read: on PostgreSQL this waits for a pack under way.
    terms = store.connection.execute(
        "DELETE FROM search_postings WHERE doc_no = ? RETURNING term_id", [doc_no]
    ).fetchall()
    if terms and _has_chunks(store) and doc_no < _packed_end(store):
        store.connection.execute(
            "INSERT INTO search_deleted SELECT unnest(CAST(? AS INTEGER[])), CAST(? AS INTEGER)",
            [[term for (term,) in terms], doc_no],
        )
    store.connection.execute("DELETE FROM search_documents WHERE doc_no = ?", [doc_no])


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


# -- packing the postings by key -------------------------------------------------------------


def _has_chunks(store: Store) -> bool:
    """Whether the database has migration 13's packed postings (cached by the Store, as its
    other schema checks: a search or a deletion need not ask the schema each time)."""
    return store._has_packed_search()


def _packed_end(store: Store) -> int:
    """The first document number no chunk covers: the postings from there on are read in
    ``search_postings``."""
    row = store.connection.execute("SELECT max(end_doc_no) FROM search_chunks").fetchone()
    return int(row[0]) if row and row[0] is not None else 1


def pack(store: Store) -> int:
    """Pack the complete chunks not packed yet (a chunk is complete once a document is
    numbered past it), and pack again those holding the deleted postings once there are
    ``DELETED_REPACK`` of them; returns how many chunks were packed. Nothing to do costs
    a few small queries. Call it inside a transaction."""
    if not _has_chunks(store):
        return 0
    connection = store.connection
    if not _chunks_due(store):
        return 0
    if store.backend.dialect == "postgresql":
        # Writers wait until the chunks are written: none may number a document below the
        # new end meanwhile, nor delete one the chunks hold without recording it.
        connection.execute(
            "LOCK TABLE search_documents, search_postings IN SHARE ROW EXCLUSIVE MODE"
        )
    end, top = _packed_end(store), _last_doc_no(store)
    complete = max(0, (top - end) // CHUNK_DOCUMENTS)
    for batch in range(0, complete, PACK_BATCH):
        first = end + batch * CHUNK_DOCUMENTS
        chunks = min(PACK_BATCH, complete - batch)
        _pack_range(store, first, first + chunks * CHUNK_DOCUMENTS, CHUNK_DOCUMENTS)
        connection.execute(
            "INSERT INTO search_chunks SELECT first_doc_no, first_doc_no + CAST(? AS INTEGER)"
            " FROM (SELECT unnest(CAST(? AS INTEGER[])) AS first_doc_no) c",
            [
                CHUNK_DOCUMENTS,
                [first + n * CHUNK_DOCUMENTS for n in range(chunks)],
            ],
        )
    repacked = 0
    if _deleted_postings(store) >= DELETED_REPACK:
        for first, stop in connection.execute(
            "SELECT c.first_doc_no, c.end_doc_no FROM search_chunks c WHERE EXISTS (SELECT 1"
            " FROM search_deleted d WHERE d.doc_no >= c.first_doc_no AND d.doc_no < c.end_doc_no)"
            " ORDER BY c.first_doc_no"
        ).fetchall():
            connection.execute("DELETE FROM search_packed WHERE first_doc_no = ?", [first])
            connection.execute(
                "DELETE FROM search_deleted WHERE doc_no >= ? AND doc_no < ?", [first, stop]
            )
            _pack_range(store, first, stop, stop - first)
            repacked += 1
    return complete + repacked


def _chunks_due(store: Store) -> bool:
    """Whether ``pack`` has a chunk to pack."""
    complete = _last_doc_no(store) - _packed_end(store) >= CHUNK_DOCUMENTS
    return complete or _deleted_postings(store) >= DELETED_REPACK


def _last_doc_no(store: Store) -> int:
    row = store.connection.execute("SELECT max(doc_no) FROM search_documents").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _deleted_postings(store: Store) -> int:
    row = store.connection.execute("SELECT count(*) FROM search_deleted").fetchone()
    return int(row[0]) if row else 0


def _pack_range(store: Store, first: int, stop: int, width: int) -> None:
    """Write the packed rows of the chunks of ``width`` document numbers from ``first`` to
    ``stop`` (exclusive), from ``search_postings``: numbered in doc_no order within their
    chunk and key (``posting_no``), two postings to an element, the even one low."""
    store.connection.execute(
        "INSERT INTO search_packed SELECT first_doc_no, term_id, array_agg(pair ORDER BY"
        " place) FROM (SELECT first_doc_no, term_id, posting_no >> 1 AS place,"
        f" bit_or(posting << CAST({POSTING_BITS} * (posting_no % 2) AS INTEGER)) AS pair"
        " FROM (SELECT first_doc_no, term_id, CAST((doc_no - first_doc_no) *"
        f" {1 << FREQUENCY_BITS} + least(tf, {SATURATED}) AS BIGINT) AS posting,"
        " row_number() OVER (PARTITION BY first_doc_no, term_id ORDER BY doc_no) - 1"
        " AS posting_no"
        " FROM (SELECT doc_no - (doc_no - CAST(? AS INTEGER)) % CAST(? AS INTEGER) AS"
        " first_doc_no, term_id, doc_no, tf FROM search_postings WHERE doc_no >= ?"
        " AND doc_no < ?) p) numbered GROUP BY first_doc_no, term_id, posting_no >> 1) paired"
        " GROUP BY first_doc_no, term_id ORDER BY first_doc_no, term_id",
        [first, width, first, stop],
    )


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
    counted = store.connection.execute("SELECT count(*) FROM search_documents").fetchone()
    documents = int(counted[0]) if counted else 0
    postings = _postings(store, [int(term_ids[key]) for key in keys])
    dfs = [len(doc_nos) for doc_nos, _ in postings]
    doc_nos, tfs = _intersection(postings)
    total = len(doc_nos)
    if offset >= total or limit <= 0:
        return total, []
    scores = _scores(tfs, dfs, documents)
    rows = _page_order(store, doc_nos, scores, limit, offset)
    page = _page_documents(store, [doc_id for _, doc_id in rows])
    hits = []
    for match, doc_id in rows:
        counts = [int(frequencies[match]) for frequencies in tfs]
        hits.append(_hit(page[doc_id], keys, counts, dfs, documents))
    return total, hits


#: A key's documents (ascending numbers, as ``np.intp``: NumPy converts other indexes to it
#: each time it looks them up) and its frequency in each.
Postings = tuple[np.ndarray, np.ndarray]


class PostingsCache:
    """The postings of the keys that many documents hold, read once while a database file
    is open read-only, when nothing can change them: the API's shared DuckDB file
    (``veille.queries.Database``), which a writer closes first. A query with a common word
    ("de", "la") then skips reading and unpacking millions of postings. The keys used least
    recently go first past ``max_bytes``; the arrays are read-only."""

    def __init__(self, max_bytes: int = POSTINGS_CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[int, Postings] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()  # requests search in several threads

    def get(self, term: int) -> Postings | None:
        with self._lock:
            postings = self._entries.get(term)
            if postings is not None:
                self._entries.move_to_end(term)
            return postings

    def put(self, term: int, postings: Postings) -> None:
        size = sum(array.nbytes for array in postings)
        if len(postings[0]) < CACHED_POSTINGS or size > self.max_bytes:
            return
        for array in postings:
            array.flags.writeable = False
        with self._lock:
            if term in self._entries:
                return
            self._entries[term] = postings
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, gone = self._entries.popitem(last=False)
                self._bytes -= sum(array.nbytes for array in gone)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def nbytes(self) -> int:
        return self._bytes


def _postings(store: Store, term_ids: list[int]) -> list[Postings]:
    """Each key's postings, from the Store's ``PostingsCache`` if it has one."""
    cache = store.postings_cache
    if cache is None:
        return _read_postings(store, term_ids)
    found = {term: cache.get(term) for term in term_ids}
    missing = [term for term, postings in found.items() if postings is None]
    if missing:
        for term, postings in zip(missing, _read_postings(store, missing), strict=True):
            cache.put(term, postings)
            found[term] = postings
    return [found[term] for term in term_ids]


def _read_postings(store: Store, term_ids: list[int]) -> list[Postings]:
    """Each key's postings, its documents' numbers ascending and its frequency in each:
    the packed chunks', then those numbered since in ``search_postings``, less the deleted
    ones the chunks still hold."""
    marks = ", ".join("?" * len(term_ids))
    packed = _has_chunks(store)
    since = _packed_end(store) if packed else 0
    tail = _columns(
        store,
        # Said as a range of doc_no, which DuckDB's zonemaps find at the table's end.
        "SELECT term_id, doc_no, tf FROM search_postings"
        f" WHERE term_id IN ({marks}) AND doc_no >= ? ORDER BY term_id, doc_no",
        [*term_ids, since],
        3,
    )
    tail_terms, tail_nos, tail_tfs = (
        np.asarray(column, dtype=dtype)
        for column, dtype in zip(tail, (np.int32, np.intp, np.int32), strict=True)
    )
    deleted: dict[int, list[int]] = {}
    if packed:
        for term, doc_no in store.connection.execute(
            f"SELECT term_id, doc_no FROM search_deleted WHERE term_id IN ({marks})", term_ids
        ).fetchall():
            deleted.setdefault(int(term), []).append(int(doc_no))
    postings = []
    for term in term_ids:
        own = tail_terms == term
        own_tail = tail_nos[own], tail_tfs[own]
        doc_nos, tfs = _packed_postings(store, term, own_tail) if packed else own_tail
        if term in deleted:
            gone = np.sort(np.asarray(deleted[term], dtype=np.int32))
            at = np.minimum(np.searchsorted(doc_nos, gone), max(len(doc_nos) - 1, 0))
            held = at[doc_nos[at] == gone] if len(doc_nos) else at[:0]
            doc_nos, tfs = np.delete(doc_nos, held), np.delete(tfs, held)
        postings.append((doc_nos, tfs))
    return postings


def _packed_postings(store: Store, term: int, tail: Postings) -> Postings:
    """A key's postings in the packed chunks (deleted ones included), unpacked, followed by
    ``tail`` (its postings numbered since)."""
    # A key at a time: DuckDB finds one key through the index, several by a scan. Put in
    # order here: an ORDER BY would copy the lists through DuckDB's sort.
    firsts, lists = _columns(
        store, "SELECT first_doc_no, postings FROM search_packed WHERE term_id = ?", [term], 2
    )
    if not len(firsts):
        return tail
    order = np.argsort(np.asarray(firsts, dtype=np.int64)).tolist()
    # Two postings an element, low half first: read as little-endian 32-bit integers, the
    # elements are the postings in order, with a 0 closing each list of an odd number.
    chunks = [np.asarray(lists[i], dtype="<i8").view("<i4") for i in order]
    sizes = [len(words) - int(words[-1] == 0) for words in chunks]
    packed = sum(sizes)
    # Unpacked into arrays that hold the tail too, a chunk at a time (which stays in the
    # CPU's cache): no copy of millions of postings.
    doc_nos = np.empty(packed + len(tail[0]), dtype=np.intp)
    tfs = np.empty(len(doc_nos), dtype=np.int32)
    start = 0
    for i, words, size in zip(order, chunks, sizes, strict=True):
        end = start + size
        np.right_shift(words[:size], FREQUENCY_BITS, out=doc_nos[start:end])
        doc_nos[start:end] += firsts[i]
        np.bitwise_and(words[:size], SATURATED, out=tfs[start:end])
        start = end
    doc_nos[packed:], tfs[packed:] = tail
    for at in np.flatnonzero(tfs[:packed] == SATURATED).tolist():
        # A word 65,535 times or more in one document: rare, so read one by one.
        row = store.connection.execute(
            "SELECT tf FROM search_postings WHERE term_id = ? AND doc_no = ?",
            [term, int(doc_nos[at])],
        ).fetchone()
        tfs[at] = int(row[0]) if row else SATURATED
    return doc_nos, tfs


def _columns(store: Store, sql: str, params: Sequence[Any], count: int) -> list[Any]:
    """The ``count`` columns of a query's rows, as NumPy arrays from DuckDB: no Python
    object per value, which matters for a key that millions of documents hold."""
    result = store.connection.execute(sql, params)
    fetch_numpy = getattr(result, "fetchnumpy", None)
    if fetch_numpy is not None:
        return list(fetch_numpy().values())
    rows = result.fetchall()
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[]] * count


def _intersection(postings: list[Postings]) -> tuple[np.ndarray, list[np.ndarray]]:
    """The documents holding every key (ascending numbers) and each key's frequency there."""
    base = min(range(len(postings)), key=lambda k: len(postings[k][0]))
    found = postings[base][0]
    tfs: list[np.ndarray | None] = [None] * len(postings)
    tfs[base] = postings[base][1]
    for k, (doc_nos, frequencies) in enumerate(postings):
        if k == base or not len(found):
            continue
        if len(found) * 32 < len(doc_nos):  # few candidates: searched for
            at = np.minimum(np.searchsorted(doc_nos, found), len(doc_nos) - 1)
            held = doc_nos[at] == found
            got = frequencies[at]
        else:  # many: looked up by number (a frequency is at least 1)
            by_number = np.zeros(int(max(doc_nos[-1], found[-1])) + 1, dtype=np.int32)
            by_number[doc_nos] = frequencies
            got = by_number[found]
            held = got > 0
        if not held.all():
            found, got = found[held], got[held]
            tfs = [None if t is None else t[held] for t in tfs]
        tfs[k] = got
    return found, [
        t if t is not None else frequencies[:0]
        for t, (_, frequencies) in zip(tfs, postings, strict=True)
    ]


def _scores(tfs: list[np.ndarray], dfs: list[int], documents: int) -> np.ndarray:
    """``sum((1 + ln tf) * ln(1 + N / df))`` for each match, with Python's floats in the
    order of the keys, as ``_hit`` computes it: the same value to the last bit.

    While the keys' weights combine into at most ``SUM_TABLE`` sums, the sums are tabled
    (each one the table so far plus a weight of the next key, in the keys' order) and each
    match looks its sum up once, instead of once for each key."""
    table: np.ndarray | None = None  # the sums of the keys so far, by combined index
    combined: np.ndarray | None = None  # each match's index in ``table``
    scores: np.ndarray | None = None  # the sums once ``table`` is left
    for frequencies, df in zip(tfs, dfs, strict=True):
        idf = math.log(1 + documents / df)
        highest = int(frequencies.max())
        values, index = (
            (np.arange(highest + 1), frequencies)
            if highest <= WEIGHT_TABLE
            else np.unique(frequencies, return_inverse=True)
        )
        weights = np.array([(1 + math.log(tf)) * idf if tf else 0.0 for tf in values.tolist()])
        if table is None or combined is None:
            table, combined = weights, index  # the first key's weights: 0.0 + w is w
        elif scores is None and len(table) * len(weights) <= SUM_TABLE:
            table = np.add.outer(table, weights).ravel()
            combined = combined * len(weights) + index
        else:
            if scores is None:
                scores = table[combined]
            scores += weights[index]
    assert table is not None and combined is not None  # a query has a key
    return scores if scores is not None else table[combined]


def _page_order(
    store: Store, doc_nos: np.ndarray, scores: np.ndarray, limit: int, offset: int
) -> list[tuple[int, str]]:
    """The page of matches in the order of their rounded scores (descending), then of
    doc_path and doc_id: each as its index among the matches, and its doc_id. Only the
    matches that can be on the page are looked up: those scoring at least as well as the
    (offset + limit)-th, ties included."""
    wanted = offset + limit
    floor = -math.inf
    if wanted < len(scores):
        nth = float(np.partition(scores, len(scores) - wanted)[len(scores) - wanted])
        floor = round(nth, SCORE_DECIMALS)  # rounding keeps the order: the page is above
    near = np.flatnonzero(scores >= floor - 10.0**-SCORE_DECIMALS)
    values, index = np.unique(scores[near], return_inverse=True)
    rounded = np.array([round(value, SCORE_DECIMALS) for value in values.tolist()])[index]
    kept = rounded >= floor
    _, rank = np.unique(-rounded[kept], return_inverse=True)  # 0: the best rounded score
    candidates = doc_nos[near[kept]]
    # The levels (equal rounded scores) that the page covers: the first and the last may be
    # long ties cut by the page, each one ordered alone by doc_path, which lets DuckDB's
    # top-N skip the paths that cannot be on the page; those between lie on it whole.
    sizes = np.bincount(rank)
    starts = np.cumsum(sizes) - sizes  # each level's first position among the matches
    first, last = (np.searchsorted(starts, [offset, wanted - 1], side="right") - 1).tolist()

    def on_page(level: int) -> list[tuple[int, str]]:
        start = int(starts[level])
        members = candidates[rank == level]
        return _by_path(store, members, None, wanted - max(start, offset), max(offset - start, 0))

    doc_ids = on_page(first)
    if last != first:
        between = (rank > first) & (rank < last)
        doc_ids += _by_path(store, candidates[between], rank[between])
        doc_ids += on_page(last)
    matches = np.searchsorted(doc_nos, np.array([no for no, _ in doc_ids], dtype=np.int32))
    return list(zip(matches.tolist(), (doc_id for _, doc_id in doc_ids), strict=True))


def _by_path(
    store: Store,
    doc_nos: np.ndarray,
    levels: np.ndarray | None,
    limit: int | None = None,
    offset: int = 0,
) -> list[tuple[int, str]]:
    """(doc_no, doc_id) of the documents ``doc_nos``, in the order of their ``levels`` if
    given, then of doc_path and doc_id; ``limit`` and ``offset`` as in SQL."""
    if not len(doc_nos):
        return []
    columns = "unnest(CAST(? AS INTEGER[])) AS doc_no"
    params: list[Any] = [doc_nos.astype(np.int32).tolist()]
    order = f"{store.backend.binary('d.doc_path')}, d.doc_id"
    if levels is not None:
        columns += ", unnest(CAST(? AS INTEGER[])) AS level"
        params.append(levels.astype(np.int32).tolist())
        order = f"c.level, {order}"
    paged = ""
    if limit is not None:
        paged = " LIMIT ? OFFSET ?"
        params += [int(limit), int(offset)]
    rows = store.connection.execute(
        f"SELECT c.doc_no, d.doc_id FROM (SELECT {columns}) c"
        f" JOIN search_documents d ON d.doc_no = c.doc_no ORDER BY {order}{paged}",
        params,
    ).fetchall()
    return [(int(no), str(doc_id)) for no, doc_id in rows]


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
