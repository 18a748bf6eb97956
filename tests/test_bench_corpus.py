"""The on-topic corpus of ``bench/run.py``: every copy a distinct document, in its own format.

The pages here are written for this test; no model is loaded.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from veille.ingest import IngestError, read_documents

BENCH = Path(__file__).resolve().parents[1] / "bench" / "run.py"

TEXT = "Niamey, 3 mars 2025 – Le Niger et le Tchad ont signé un accord de défense.\n"
HTML = (
    "<html lang='fr'><head><title>Accord</title></head><body><article>"
    "<p>Rabat, 4 mars 2025 – Le Maroc a livré des véhicules blindés à la Mauritanie, "
    "selon un communiqué du ministère de la Défense publié mardi soir.</p>"
    "<p>Les deux armées prévoient un exercice conjoint au printemps près de la frontière, "
    "a précisé le porte-parole de l'état-major mauritanien.</p>"
    "</article></body></html>"
)


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_run", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


def write_sources(root: Path, with_dev: bool) -> tuple[Path, Path, Path, Path]:
    corpus, examples, devset = root / "corpus", root / "examples", root / "devset"
    (corpus / "seeds").mkdir(parents=True)
    (corpus / "seeds" / "000_a.txt").write_text(TEXT, encoding="utf-8")
    examples.mkdir()
    (examples / "README.md").write_text("# not a page\n", encoding="utf-8")
    (examples / "accord.html").write_text(HTML, encoding="utf-8")
    records = [
        {"title": "Texte", "language": "fr", "text": TEXT},
        {"title": "Page", "language": "fr", "html": HTML},
    ]
    (examples / "feed.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    index = root / "index.jsonl"
    pages = [
        {"id": "d001", "language": "fr", "topic": "Defence agreement"},
        {"id": "d002", "language": "es", "topic": "Defence agreement"},
        {"id": "d003", "language": "fr", "topic": "Off-topic (sport): a football match"},
    ]
    index.write_text("".join(json.dumps(p) + "\n" for p in pages), encoding="utf-8")
    if with_dev:
        devset.mkdir()
        for page in pages:
            (devset / f"{page['id']}.txt").write_text(TEXT.strip(), encoding="utf-8")
    return corpus, examples, devset, index


def test_sources_take_french_on_topic_dev_pages(bench, tmp_path: Path) -> None:
    pages, notes = bench.on_topic_sources(*write_sources(tmp_path, with_dev=True))
    assert [(p.kind, p.suffix) for p in pages] == [
        ("seed", ".txt"),
        ("example", ".html"),
        ("example", ".jsonl"),
        ("example", ".jsonl"),
        ("dev", ".txt"),
    ]
    assert pages[-1].name == "d001.txt"
    assert notes == ["on-topic corpus: 1 of 3 rebuilt dev pages (French, on-topic)"]


def test_missing_dev_pages_are_skipped_with_a_note(bench, tmp_path: Path) -> None:
    pages, notes = bench.on_topic_sources(*write_sources(tmp_path, with_dev=False))
    assert {p.kind for p in pages} == {"seed", "example"}
    assert len(notes) == 1 and "no rebuilt dev pages" in notes[0]


def test_every_copy_is_a_distinct_document(bench, tmp_path: Path) -> None:
    pages, _ = bench.on_topic_sources(*write_sources(tmp_path, with_dev=True))
    folder = tmp_path / "out"
    folder.mkdir()
    bench.build_on_topic_corpus(pages, 13, folder)
    assert len(list(folder.iterdir())) == 13
    documents = list(read_documents([str(folder)]))
    assert not [d for d in documents if isinstance(d, IngestError)]
    assert len(documents) == 13
    assert len({d.doc_id for d in documents}) == 13
    assert [d.source_format for d in documents[:5]] == ["txt", "html", "jsonl", "jsonl", "txt"]
    # The numbered line survives HTML extraction, so the bare run parses what Veille reads.
    for index, document in enumerate(documents):
        assert f"Copie {index // len(pages)} du document {index}." in document.text
    assert bench.read_texts(folder) == [d.text for d in documents]
