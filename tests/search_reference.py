"""Full-text search as Veille answered it in memory before it moved into the database
(veille.search): the reference the SQL answers are compared with, on small stores."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from veille.search import MAX_SPANS, WORD, search_key, snippet
from veille.store import Store


def searchable_documents(store: Store) -> list[dict[str, Any]]:
    """Every document's metadata and text with the spans of its kept paragraphs."""
    documents = store.connection.execute(
        "SELECT doc_id, doc_path, title, published, text FROM documents ORDER BY doc_id"
    ).fetchall()
    spans: dict[str, list[tuple[int, int]]] = {}
    for doc_id, start, end in store.connection.execute(
        "SELECT doc_id, start_offset, end_offset FROM paragraphs WHERE kept"
        " ORDER BY doc_id, position"
    ).fetchall():
        spans.setdefault(doc_id, []).append((start, end))
    keys = ("doc_id", "doc_path", "title", "published", "text")
    return [
        {**dict(zip(keys, row, strict=True)), "kept": spans.get(row[0], [])} for row in documents
    ]


class SearchIndex:
    """The former in-memory inverted index over kept paragraphs and titles."""

    def __init__(self, documents: list[dict[str, Any]]) -> None:
        self.postings: dict[str, dict[str, list[tuple[int, int] | None]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self.documents: dict[str, dict[str, Any]] = {}
        for doc in documents:
            doc_id = doc["doc_id"]
            self.documents[doc_id] = {
                k: doc[k] for k in ("doc_id", "doc_path", "title", "published", "text")
            }
            for word in WORD.findall(doc["title"] or ""):
                self.postings[search_key(word)][doc_id].append(None)  # a title hit
            for start, end in doc["kept"] or [(0, len(doc["text"]))]:
                for match in WORD.finditer(doc["text"], start, end):
                    self.postings[search_key(match[0])][doc_id].append(match.span())

    def search(self, query: str) -> list[dict[str, Any]]:
        keys = list(dict.fromkeys(search_key(w) for w in WORD.findall(query)))
        if not keys:
            return []
        matching = set(self.documents)
        for key in keys:
            matching &= set(self.postings.get(key, {}))
        hits = [self._hit(doc_id, keys) for doc_id in matching]
        hits.sort(key=lambda h: (-h["score"], h["doc_path"]))
        return hits

    def _hit(self, doc_id: str, keys: list[str]) -> dict[str, Any]:
        total = len(self.documents)
        score = 0.0
        spans: list[tuple[int, int]] = []
        frequencies: dict[str, int] = {}
        for key in keys:
            occurrences = self.postings[key][doc_id]
            frequencies[key] = len(occurrences)
            idf = math.log(1 + total / len(self.postings[key]))
            score += (1 + math.log(len(occurrences))) * idf
            spans += [span for span in occurrences if span is not None]
        spans.sort()
        meta = self.documents[doc_id]
        return {
            **{k: v for k, v in meta.items() if k != "text"},
            "score": round(score, 4),
            "term_frequencies": frequencies,
            "spans": [{"start": s, "end": e} for s, e in spans[:MAX_SPANS]],
            "snippet": snippet(meta["text"], spans[0]) if spans else None,
        }
