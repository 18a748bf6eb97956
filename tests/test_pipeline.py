"""Batches and streaming: the same results a document at a time, in batches or from ``run``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from veille.clean import NearDuplicateIndex
from veille.ingest import IngestError, read_documents
from veille.model import Document, DocumentResult, Paragraph
from veille.nlp import Analysis, analyse, load_pipeline, parse, sentence_bounds, tokenise
from veille.pipeline import Pipeline, extract

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
POPCORN = ROOT.parent / "shared" / "corpus" / "popcorn" / "test.json"


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline(batch_size=3)


def _examples() -> list[Document]:
    items = read_documents([str(EXAMPLES)])
    return [item for item in items if not isinstance(item, IngestError)]


def _documents() -> list[Document]:
    documents = _examples()
    if POPCORN.is_file():  # off-topic texts too, so that batches mix skipped documents in
        texts = list(json.loads(POPCORN.read_text(encoding="utf-8")).values())[:12]
        documents += [
            Document(Document.content_id(t["text"]), "p", t["text"], "txt") for t in texts
        ]
    return documents


def _output(result: DocumentResult) -> tuple[str, list[dict], list[dict]]:
    path = result.document.doc_path
    return (
        result.document.doc_id,
        [e.to_json() for e in result.events],
        [m.to_json(path) for m in result.mentions],
    )


def _fresh(pipeline: Pipeline) -> Pipeline:
    pipeline.cleaner = type(pipeline.cleaner)()  # near-duplicate memory of a new run
    return pipeline


def test_a_batch_gives_what_each_document_gives_alone(pipeline: Pipeline) -> None:
    documents = _documents()
    alone = [_output(_fresh(pipeline).process(document)) for document in documents]
    together = [_output(r) for r in _fresh(pipeline).process_batch(documents)]
    assert together == alone
    assert any(events for _, events, _ in alone)


def test_run_streams_in_batches_and_keeps_the_input_order(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    names = []
    for index, document in enumerate(_examples()[:7]):
        name = f"{index:02d}.txt"
        (tmp_path / name).write_text(document.text, encoding="utf-8")
        names.append(name)
    (tmp_path / "03b.txt").write_bytes(b"%PDF-1.4 \x00\x01 binary")
    cleaned: list[str] = []
    clean = _fresh(pipeline).cleaner.clean

    def counting_clean(document: Document):  # noqa: ANN202
        cleaned.append(document.doc_path)
        return clean(document)

    pipeline.cleaner.clean = counting_clean  # type: ignore[method-assign]
    errors: list[IngestError] = []
    results = pipeline.run([str(tmp_path)], on_error=errors.append)
    first = next(results)
    # Generator in, generator out: one batch read and coded, not the whole input.
    assert len(cleaned) == pipeline.batch_size
    rest = list(results)
    assert [Path(r.document.doc_path).name for r in [first, *rest]] == names
    assert [Path(e.path).name for e in errors] == ["03b.txt"]


def test_extract_leaves_out_events_below_min_confidence(pipeline: Pipeline) -> None:
    paths = [str(EXAMPLES)]
    everything = [e.to_json() for e in extract(paths, pipeline=_fresh(pipeline))]
    levels = sorted({record["confidence"] for record in everything})
    assert len(levels) > 1, levels
    seen: list[DocumentResult] = []
    kept = extract(
        paths, pipeline=_fresh(pipeline), on_document=seen.append, min_confidence=levels[1]
    )
    expected = [r for r in everything if r["confidence"] >= levels[1]]
    assert [e.to_json() for e in kept] == expected and 0 < len(expected) < len(everything)
    assert sum(len(result.events) for result in seen) == len(everything)  # on_document: all
    for bad in (1.5, -0.1, float("nan")):
        with pytest.raises(ValueError, match="min_confidence must be between 0 and 1"):
            extract(paths, min_confidence=bad)  # at the call, before any model loads


def test_sentences_are_analysed_alone_and_written_back_into_the_paragraph() -> None:
    nlp = load_pipeline()
    text = "Le Maroc et le Mali ont signé un accord. M. le ministre est parti. Il pleut à Gao"
    paragraph = Paragraph(10, 10 + len(text), text, "fr", True)
    [tokenised] = tokenise(nlp, [paragraph])
    assert [tokenised.doc[s:e].text for s, e in tokenised.bounds] == [
        "Le Maroc et le Mali ont signé un accord.",
        "M. le ministre est parti.",
        "Il pleut à Gao",
    ]
    analyse(nlp, [(tokenised, 0, Analysis.FULL), (tokenised, 2, Analysis.NER)])
    doc = tokenised.parsed().doc
    assert doc.text == text
    assert [(s.start, s.end) for s in doc.sents] == tokenised.bounds
    alone = nlp(tokenised.doc[0:10].text)
    assert [(t.lemma_, t.pos_, t.dep_, t.head.i) for t in doc[0:10]] == [
        (t.lemma_, t.pos_, t.dep_, t.head.i) for t in alone
    ]
    assert not any(t.dep_ or t.pos_ for t in doc[10:])  # the others are not parsed
    assert [e.text for e in doc.ents if e.start >= 16] == [e.text for e in nlp(text[-14:]).ents]


def test_the_full_analysis_parses_every_sentence() -> None:
    nlp = load_pipeline()
    document = _examples()[0]
    from veille.clean import Cleaner

    for parsed in parse(nlp, Cleaner().clean(document)):
        assert parsed.doc.text == parsed.paragraph.text
        assert [(s.start, s.end) for s in parsed.doc.sents] == sentence_bounds(parsed.doc)
        assert all(token.dep_ for token in parsed.doc)


def test_near_duplicate_memory_is_bounded() -> None:
    index = NearDuplicateIndex(window=3)
    text = "La délégation malienne a été reçue à Rabat par le ministre marocain de la Défense."
    assert index.check_and_add("a", text) is None
    assert index.check_and_add("b", text + " Hier.") == "a"
    for name in "cdef":
        index.check_and_add(name, f"Un texte sans rapport numéro {name} sur la météo du jour.")
    assert len(index) == 3
    # "a" and "b" are forgotten: a new copy no longer finds them.
    assert index.check_and_add("g", text) is None


def test_models_load_with_the_collector_held_and_it_runs_again_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gc

    from veille import coding

    seen: list[bool] = []

    def failing_load(language: str) -> None:
        seen.append(gc.isenabled())
        raise RuntimeError("no model")

    monkeypatch.setattr(coding, "load_pipeline", failing_load)
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        coding.LanguageCoder.load("fr", cascade=True)
    assert seen == [False] and gc.isenabled()
    gc.disable()  # a caller's own choice is left alone
    try:
        with coding.models_loading():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_frozen_models_leave_no_leak_report_from_duckdb_at_exit() -> None:
    import subprocess
    import sys

    code = (
        "import duckdb; duckdb.connect().execute('SELECT 1').fetchall(); "
        "from veille.coding import models_loading\nwith models_loading(): pass"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0 and "leaked" not in done.stderr, done.stderr
