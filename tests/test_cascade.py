"""The cascade skips the parser only where no event can come out: same events either way."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from veille.cascade import Cascade, LemmaCandidates, needs_parse
from veille.ingest import IngestError, read_documents
from veille.lexicon import fold
from veille.model import Document, DocumentResult
from veille.nlp import load_pipeline
from veille.pipeline import Pipeline

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SEEDS = ROOT.parent / "shared" / "corpus" / "seeds"
POPCORN = ROOT.parent / "shared" / "corpus" / "popcorn" / "test.json"
POPCORN_SAMPLE = 120  # enough off-topic texts to exercise skipping, quick enough for CI


@pytest.fixture(scope="module")
def cascade() -> Cascade:
    return Cascade(load_pipeline())


def _documents(paths: Iterable[Path]) -> list[Document]:
    items = read_documents([str(p) for p in paths])
    return [item for item in items if not isinstance(item, IngestError)]


def _popcorn(limit: int) -> list[Document]:
    texts = list(json.loads(POPCORN.read_text(encoding="utf-8")).items())[:limit]
    return [Document(Document.content_id(t["text"]), key, t["text"], "txt") for key, t in texts]


def _results(documents: Iterable[Document], cascade: bool) -> Iterator[DocumentResult]:
    pipeline = Pipeline(cascade=cascade)  # one pipeline per run: fresh near-duplicate memory
    return (pipeline.process(document) for document in documents)


def _assert_same_output(documents: list[Document]) -> None:
    with_cascade = list(_results(documents, cascade=True))
    without = list(_results(documents, cascade=False))
    cascade = Pipeline(cascade=True).cascade
    assert cascade is not None
    for fast, full in zip(with_cascade, without, strict=True):
        path = full.document.doc_path
        assert [e.to_json() for e in fast.events] == [e.to_json() for e in full.events], path
        if needs_parse(cascade.plan(full.clean)):  # parsed documents keep every mention
            assert [m.to_json(path) for m in fast.mentions] == [
                m.to_json(path) for m in full.mentions
            ], path
        else:
            assert not full.events and not fast.mentions, path


# -- equality on real documents ---------------------------------------------------------


def test_same_events_on_examples() -> None:
    documents = _documents([EXAMPLES])
    assert len(documents) >= 6
    _assert_same_output(documents)


@pytest.mark.seeds
@pytest.mark.skipif(not SEEDS.is_dir(), reason="sample articles ../shared/corpus/seeds absent")
def test_same_events_on_seed_articles() -> None:
    documents = _documents([SEEDS])
    assert documents
    _assert_same_output(documents)


@pytest.mark.seeds
@pytest.mark.skipif(not POPCORN.is_file(), reason="../shared/corpus/popcorn/test.json absent")
def test_same_events_on_off_topic_incidents_and_some_are_skipped(cascade: Cascade) -> None:
    documents = _popcorn(POPCORN_SAMPLE)
    skipped = [d for d in documents if not needs_parse(cascade.plan(Pipeline().cleaner.clean(d)))]
    assert len(skipped) >= len(documents) // 20  # the cascade does skip off-topic news
    _assert_same_output(documents)


# -- the superset guarantees the equality rests on ---------------------------------------


def test_possible_lemmas_include_the_lemmatizer_choice() -> None:
    nlp = load_pipeline()
    lemmas = LemmaCandidates(nlp)
    texts = [d.text for d in _documents([EXAMPLES])]
    misses = [
        (token.text, token.pos_, token.lemma_)
        for doc in nlp.pipe(texts)
        for token in doc
        if not token.is_space and fold(token.lemma_) not in lemmas.candidates(token.text)
    ]
    assert misses == []


def test_entities_alone_equal_entities_of_the_full_pipeline() -> None:
    nlp = load_pipeline()
    texts = [p for d in _documents([EXAMPLES]) for p in d.text.split("\n") if p.strip()]
    full = [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in nlp.pipe(texts)]
    others = [name for name in nlp.pipe_names if name != "ner"]
    alone = [
        [(e.start_char, e.end_char, e.label_) for e in doc.ents]
        for doc in nlp.pipe(texts, disable=others)
    ]
    assert alone == full


# -- the filter on sentences ------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "Le Maroc et la Mauritanie ont signé un accord de coopération sécuritaire.",
        "Les armées malienne et nigérienne coopèrent étroitement depuis deux ans.",
        "Le Niger a formé cette année quarante officiers tchadiens.",
        "Les ministres algériens se sont rendus mardi à Nouakchott.",
        "Dakar reçoit ce lundi une délégation mauritanienne.",
        "Les forces françaises soutiennent l'armée tchadienne.",
        "La coopération maroco-mauritanienne s'est renforcée.",
    ],
)
def test_on_topic_sentences_need_the_parse(cascade: Cascade, sentence: str) -> None:
    cues = cascade.cues(sentence)
    assert cues.actor and cues.trigger


@pytest.mark.parametrize(
    "sentence",
    [
        "Un accident de la route a fait deux blessés samedi près de la gare.",
        "Les pompiers ont maîtrisé l'incendie du entrepôt en fin de soirée.",
        "Un concert en plein air a réuni des milliers de spectateurs à Paris.",
        "Le fleuve Niger a débordé après trois jours de pluie.",
    ],
)
def test_off_topic_sentences_have_no_actor(cascade: Cascade, sentence: str) -> None:
    assert not cascade.cues(sentence).actor


def test_sentence_without_trigger(cascade: Cascade) -> None:
    cues = cascade.cues("Le Mali compte environ vingt millions d'habitants.")
    assert cues.actor and not cues.trigger


def test_off_topic_document_is_not_parsed(cascade: Cascade) -> None:
    text = "Grève des cheminots\n\nLes trains régionaux resteront à quai jeudi, selon la direction."
    clean = Pipeline().cleaner.clean(Document(Document.content_id(text), "<t>", text, "txt"))
    assert clean.kept
    assert cascade.parse(clean) is None
    assert Pipeline(cascade=True).process(clean.document).events == ()


def test_inert_paragraph_gets_entities_and_one_sentence(cascade: Cascade) -> None:
    text = (
        "Le ministre marocain des Affaires étrangères a reçu son homologue mauritanien.\n"
        "Il fait beau à Rabat depuis lundi. Jean Martin était présent."
    )
    document = Document(Document.content_id(text), "<t>", text, "txt")
    clean = Pipeline().cleaner.clean(document)
    plan = cascade.plan(clean)
    assert [c.inert for c in plan] == [False, True]
    parsed = cascade.parse(clean)
    assert parsed is not None and len(parsed) == 2
    inert_doc = parsed[1].doc
    assert len(list(inert_doc.sents)) == 1
    assert not inert_doc.has_annotation("DEP")
