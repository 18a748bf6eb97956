"""Full-text search in the database (veille.search), on both backends: the same answers as
the former in-memory index (tests/search_reference.py), and an index that follows every
write and delete."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import numpy as np
import pytest
from search_reference import SearchIndex, searchable_documents

from veille import search as search_module
from veille.backends import backend_for
from veille.model import CleanDocument, Document, DocumentResult, Paragraph
from veille.search import (
    PACKED_VERSION,
    SATURATED,
    WEIGHT_TABLE,
    Postings,
    PostingsCache,
    _scores,
    query_keys,
    search,
    search_key,
)
from veille.store import SEARCH_VERSION, Store, migrations

# Common words (in every document or nearly), rarer ones, accents and inflections.
VOCABULARY = [
    "le",
    "la",
    "de",
    "et",
    "des",
    "un",
    "une",
    "à",
    "coopération",
    "coopèrent",
    "sécurité",
    "securite",
    "sécuritaire",
    "Maroc",
    "Mali",
    "Sénégal",
    "armée",
    "armées",
    "attaque",
    "attaques",
    "frontière",
    "frontières",
    "ministre",
    "ministres",
    "accord",
    "accords",
    "visite",
    "officielle",
    "terroriste",
    "terroristes",
    "œuvre",
    "élections",
    "Niger",
    "Bamako",
    "Rabat",
    "réunion",
    "sommet",
    "négociation",
    "négociations",
]
QUERIES = [
    "de",
    "Maroc",
    "sécurité",
    "SECURITE coopération",
    "attaques frontière le",
    "ministre accord Mali",
    "oeuvre",
    "terroristes armée",
    "réunion sommet négociations Rabat",
    "absentmot",
    "de la et",
]


def _generated(count: int, seed: int = 7) -> list[DocumentResult]:
    """Documents of random words: titles or none, kept and dropped paragraphs (or none
    kept), repeated words, so that scores tie and differ."""
    rng = random.Random(seed)
    results = []
    for n in range(count):
        paragraphs: list[str] = []
        for _ in range(rng.randint(1, 4)):
            words = rng.choices(VOCABULARY, k=rng.randint(3, 30))
            paragraphs.append(" ".join(words) + ".")
        text = "\n".join(paragraphs)
        spans, start = [], 0
        for paragraph in paragraphs:
            spans.append((start, start + len(paragraph)))
            start += len(paragraph) + 1
        none_kept = rng.random() < 0.15
        kept = [not none_kept and rng.random() < 0.7 for _ in spans]
        title = " ".join(rng.choices(VOCABULARY, k=3)) if rng.random() < 0.7 else None
        document = Document(
            Document.content_id(f"{n}:{text}"),
            f"gen/{rng.randint(0, 10**6):07d}-{n}.txt",
            text,
            "txt",
            title=title,
            published=date(2024, 1, 1) + timedelta(days=n),
        )
        clean = CleanDocument(
            document,
            tuple(
                Paragraph(s, e, text[s:e], "fr", k, None if k else "boilerplate:test")
                for (s, e), k in zip(spans, kept, strict=True)
            ),
        )
        results.append(DocumentResult(clean, (), ()))
    return results


def _postings(store: Store) -> tuple[int, int]:
    row = store.connection.execute(
        "SELECT (SELECT count(*) FROM search_postings), (SELECT count(*) FROM search_documents)"
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def _expected_postings(results: list[DocumentResult]) -> int:
    from veille.search import Searchable

    return sum(len(Searchable.of(r).term_frequencies()) for r in results)


def _assert_same_answers(store: Store, queries: list[str] = QUERIES) -> None:
    reference = SearchIndex(searchable_documents(store))
    for query in queries:
        expected = reference.search(query)
        total, hits = search(store, query, 500)
        assert (total, hits) == (len(expected), expected), query
        # Pages that start, end and lie within ties (levels of equal score) and past the end.
        pages = ((3, 0), (3, 4), (7, 5), (1, 1), (2, 7), (12, 2), (5, len(expected) + 2))
        for limit, offset in pages:
            assert search(store, query, limit, offset) == (
                len(expected),
                expected[offset : offset + limit],
            ), (query, limit, offset)


def test_sql_search_answers_as_the_in_memory_index(store_db: str) -> None:
    results = _generated(120)
    with Store(store_db) as store:
        for result in results:
            assert store.add(result)
        assert _postings(store) == (_expected_postings(results), len(results))
        _assert_same_answers(store)
        # Ties are broken alike: many documents share a rounded score.
        total, hits = search(store, "de", 500)
        assert len({h["score"] for h in hits}) < total


def test_deleted_and_recoded_documents_leave_no_stale_postings(store_db: str) -> None:
    results = _generated(30, seed=11)
    with Store(store_db) as store:
        for result in results:
            store.add(result)
        gone, recoded = results[3], results[4]
        assert store.delete_document(gone.document.doc_id)
        # A recoded document (its text changed, hence its id) replaces the old one.
        text = recoded.document.text + "\nZébulon visite Rabat."
        document = Document(
            Document.content_id(text), recoded.document.doc_path, text, "txt", title="Nouveau"
        )
        new = DocumentResult(
            CleanDocument(document, (Paragraph(0, len(text), text, "fr", True),)), (), ()
        )
        store.replace_document(recoded.document.doc_id, new)
        left = [r for r in results if r not in (gone, recoded)] + [new]
        assert _postings(store) == (_expected_postings(left), len(left))
        stale = store.connection.execute(
            "SELECT count(*) FROM search_postings p WHERE NOT EXISTS (SELECT 1 FROM"
            " search_documents s JOIN documents d USING (doc_id) WHERE s.doc_no = p.doc_no)"
        ).fetchone()
        assert stale == (0,)
        found = {h["doc_id"] for h in search(store, "zebulon", 50)[1]}
        assert found == {new.document.doc_id}
        _assert_same_answers(store)
        # Recoded again with the same text: replaced in place, indexed once.
        store.replace_document(new.document.doc_id, new)
        assert _postings(store) == (_expected_postings(left), len(left))
        _assert_same_answers(store, ["zebulon", "de"])


@contextmanager
def _older_store(store_db: str, monkeypatch: pytest.MonkeyPatch, version: int) -> Iterator[Store]:
    """A Store on a database given only the migrations before ``version``."""
    before = [m for m in migrations(backend_for(store_db).dialect) if m.version < version]
    with monkeypatch.context() as patch:
        patch.setattr("veille.store.migrations", lambda dialect: before)
        with Store(store_db) as store:
            yield store


def test_a_database_older_than_the_index_is_indexed_when_migrated(
    store_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    results = _generated(40, seed=3)
    with _older_store(store_db, monkeypatch, SEARCH_VERSION) as store:
        for result in results:
            store.add(result)
        assert store.schema_version() == SEARCH_VERSION - 1
    with Store(store_db) as store:  # migrated: the documents already there are indexed
        assert store.schema_version() >= SEARCH_VERSION
        assert _postings(store) == (_expected_postings(results), len(results))
        _assert_same_answers(store)


def test_query_keys_fold_accents_before_stemming() -> None:
    assert search_key("Sécurité") == search_key("securite") == search_key("SECURITE")
    assert search_key("terroristes") == search_key("terroriste")
    assert search_key("œuvre") == search_key("oeuvre")


def _count(store: Store, table: str) -> int:
    row = store.connection.execute(f"SELECT count(*) FROM {table}").fetchone()
    assert row is not None
    return int(row[0])


def test_packed_chunks_the_postings_since_and_deletions_answer_as_from_scratch(
    store_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small chunks, so that a few documents fill several and leave some unpacked.
    monkeypatch.setattr("veille.search.CHUNK_DOCUMENTS", 16)
    monkeypatch.setattr("veille.search.PACK_BATCH", 2)
    monkeypatch.setattr("veille.search.DELETED_REPACK", 40)
    results = _generated(100, seed=5)
    with Store(store_db) as store:
        for result in results[:70]:
            store.add(result)
        assert _count(store, "search_chunks") == 0  # packed when the Store closes
    with Store(store_db) as store:
        chunks = _count(store, "search_chunks")
        assert chunks == 70 // 16  # doc_no 1 to 70: the chunks [1, 17) ... [49, 65)
        assert _count(store, "search_packed") > 0
        # Lists of an odd number of postings (the last element's high half 0) and of an
        # even number are both read.
        odd = {
            int(postings[-1]) >> 32 == 0
            for (postings,) in store.connection.execute(
                "SELECT postings FROM search_packed"
            ).fetchall()
        }
        assert odd == {True, False}
        _assert_same_answers(store)
        # Deleted: packed documents (recorded as deleted) and one numbered since.
        for result in results[3:40:6] + [results[68]]:
            assert store.delete_document(result.document.doc_id)
        assert _count(store, "search_deleted") >= 40  # enough to pack their chunks again
        _assert_same_answers(store)
        for result in results[70:]:
            store.add(result)
        _assert_same_answers(store)  # before they are packed
    with Store(store_db) as store:
        # Packed on closing: the new complete chunks, and those holding deleted documents
        # again, without them.
        assert _count(store, "search_chunks") == 100 // 16
        assert _count(store, "search_deleted") == 0
        _assert_same_answers(store)
        assert store.delete_document(results[1].document.doc_id)
        assert _count(store, "search_deleted") > 0
        _assert_same_answers(store)


def test_a_database_older_than_the_packed_postings_is_packed_when_migrated(
    store_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("veille.search.CHUNK_DOCUMENTS", 8)
    results = _generated(30, seed=9)
    with _older_store(store_db, monkeypatch, PACKED_VERSION) as store:
        for result in results:
            store.add(result)
        # Packed as migration 15 packed them, one posting a list element, which are read
        # no longer.
        store.connection.execute(
            "INSERT INTO search_packed SELECT doc_no - (doc_no - 1) % 8, term_id,"
            " array_agg((doc_no - (doc_no - (doc_no - 1) % 8)) * 65536 + tf ORDER BY doc_no)"
            " FROM search_postings WHERE doc_no < 25 GROUP BY 1, 2"
        )
        store.connection.execute("INSERT INTO search_chunks VALUES (1, 9), (9, 17), (17, 25)")
        _assert_same_answers(store, ["de", "Maroc"])  # read without packed postings
    with Store(store_db) as store:
        assert store.schema_version() >= PACKED_VERSION
        assert _count(store, "search_chunks") == 30 // 8
        _assert_same_answers(store)


def test_a_frequency_past_the_packed_bits_is_read_in_full(
    store_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("veille.search.CHUNK_DOCUMENTS", 8)
    results = _generated(20, seed=11)
    # One word more times than a packed posting can count (2^16 - 1 stands for "or more"),
    # in a document of the first, packed chunk, and a posting counted exactly that often.
    repeated = results[2].clean.paragraphs[0].text + " zebulon" * 70_000
    exact = "zebulon " * SATURATED
    for n, text in ((2, repeated), (5, exact)):
        document = Document(Document.content_id(text), f"gen/saturated-{n}.txt", text, "txt")
        clean = CleanDocument(document, (Paragraph(0, len(text), text, "fr", True, None),))
        results[n] = DocumentResult(clean, (), ())
    with Store(store_db) as store:
        for result in results:
            store.add(result)
    with Store(store_db) as store:
        assert _count(store, "search_chunks") == 20 // 8
        total, hits = search(store, "zebulon de", 5)
        assert total == 1 and hits[0]["term_frequencies"]["zebulon"] == 70_000
        total, hits = search(store, "zebulon", 5)
        assert [hit["term_frequencies"]["zebulon"] for hit in hits] == [70_000, SATURATED]
        _assert_same_answers(store, ["zebulon", "zebulon de", "de"])


@pytest.mark.parametrize("sum_table", [1, 40, 1 << 16])
def test_scores_tabled_or_summed_key_by_key_are_hits_scores_to_the_last_bit(
    monkeypatch: pytest.MonkeyPatch, sum_table: int
) -> None:
    # Three keys, one with a frequency past the weight table (weighed value by value): the
    # sums tabled for as many keys as fit, the rest added key by key, or none tabled.
    monkeypatch.setattr("veille.search.SUM_TABLE", sum_table)
    generator = np.random.default_rng(3)
    tfs = [generator.integers(1, high, 500, dtype=np.int32) for high in (4, 6, 3000)]
    tfs[2][0] = WEIGHT_TABLE + 1
    dfs, documents = [700, 90, 12], 1000
    expected = []
    for counts in zip(*(t.tolist() for t in tfs), strict=True):
        score = 0.0
        for tf, df in zip(counts, dfs, strict=True):
            score += (1 + math.log(tf)) * math.log(1 + documents / df)
        expected.append(score)
    assert _scores(tfs, dfs, documents).tolist() == expected


def test_the_postings_cache_answers_as_the_database_and_reads_a_key_once(
    store_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("veille.search.CHUNK_DOCUMENTS", 8)
    monkeypatch.setattr("veille.search.CACHED_POSTINGS", 1)
    with Store(store_db) as store:
        for result in _generated(40, seed=13):
            store.add(result)
    read: list[list[int]] = []
    read_postings = search_module._read_postings

    def counted(store: Store, term_ids: list[int]) -> list[Postings]:
        read.append(term_ids)
        return read_postings(store, term_ids)

    monkeypatch.setattr("veille.search._read_postings", counted)
    with Store(store_db, read_only=True) as store:
        uncached = {query: search(store, query, 500) for query in QUERIES}
        store.postings_cache = PostingsCache()
        for query in QUERIES + QUERIES:
            assert search(store, query, 500) == uncached[query], query
        # Read once each with the cache, not again on the second round.
        read.clear()
        for query in QUERIES:
            search(store, query, 500)
        assert read == []
        # Past its bytes, the keys used least recently go.
        store.postings_cache = small = PostingsCache(max_bytes=2_000)
        for query in QUERIES:
            assert search(store, query, 500) == uncached[query], query
        keys = {key for query in QUERIES for key in query_keys(query)}
        assert 0 < small.nbytes <= 2_000 and 0 < len(small) < len(keys)
