"""The cascade parses only sentences that can carry an event, and the events stay the same."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pytest

from veille.cascade import Cascade, LemmaCandidates
from veille.ingest import IngestError, read_documents
from veille.lexicon import fold
from veille.model import Document, DocumentResult
from veille.nlp import Analysis, analyse, load_pipeline, tokenise
from veille.pipeline import Pipeline

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SEEDS = ROOT.parent / "shared" / "corpus" / "seeds"
POPCORN = ROOT.parent / "shared" / "corpus" / "popcorn" / "test.json"
POPCORN_SAMPLE = 120  # enough off-topic texts to exercise skipping, quick enough for CI


@pytest.fixture(scope="module")
def fast() -> Pipeline:
    return Pipeline(cascade=True)


@pytest.fixture(scope="module")
def full() -> Pipeline:
    return Pipeline(cascade=False)


@pytest.fixture(scope="module")
def cascade(fast: Pipeline) -> Cascade:
    assert fast.cascade is not None
    return fast.cascade


def _documents(paths: Iterable[Path]) -> list[Document]:
    items = read_documents([str(p) for p in paths])
    return [item for item in items if not isinstance(item, IngestError)]


def _popcorn(limit: int) -> list[Document]:
    texts = list(json.loads(POPCORN.read_text(encoding="utf-8")).items())[:limit]
    return [Document(Document.content_id(t["text"]), key, t["text"], "txt") for key, t in texts]


def _text(text: str) -> Document:
    return Document(Document.content_id(text), "<t>", text, "txt")


def _results(pipeline: Pipeline, documents: list[Document]) -> list[DocumentResult]:
    # A fresh cleaner per run: the near-duplicate memory must not carry over between runs.
    pipeline.cleaner = type(pipeline.cleaner)()
    return pipeline.process_batch(documents)


def _assert_same_output(fast: Pipeline, full: Pipeline, documents: list[Document]) -> None:
    for quick, slow in zip(_results(fast, documents), _results(full, documents), strict=True):
        path = slow.document.doc_path
        assert [e.to_json() for e in quick.events] == [e.to_json() for e in slow.events], path
        # Mentions come from the analysed sentences only, each as the full analysis has it.
        every = [m.to_json(path) for m in slow.mentions]
        assert all(m.to_json(path) in every for m in quick.mentions), path


# -- equality on real documents ---------------------------------------------------------


def test_same_events_on_examples(fast: Pipeline, full: Pipeline) -> None:
    documents = _documents([EXAMPLES])
    assert len(documents) >= 6
    _assert_same_output(fast, full, documents)


@pytest.mark.seeds
@pytest.mark.skipif(not SEEDS.is_dir(), reason="sample articles ../shared/corpus/seeds absent")
def test_same_events_on_seed_articles(fast: Pipeline, full: Pipeline) -> None:
    documents = _documents([SEEDS])
    assert documents
    _assert_same_output(fast, full, documents)


@pytest.mark.seeds
@pytest.mark.skipif(not POPCORN.is_file(), reason="../shared/corpus/popcorn/test.json absent")
def test_same_events_on_off_topic_incidents_and_most_is_not_parsed(
    fast: Pipeline, full: Pipeline, cascade: Cascade
) -> None:
    documents = _popcorn(POPCORN_SAMPLE)
    levels: list[Analysis] = []
    skipped = 0
    for document in documents:
        paragraphs = tokenise(fast.nlp, fast.cleaner.clean(document).kept)
        plan = cascade.plan(paragraphs)
        skipped += plan.skipped
        levels += [
            level
            for (p, i), level in zip(plan.sentences, plan.levels, strict=True)
            for _ in range(p.bounds[i][1] - p.bounds[i][0])
        ]
    assert skipped >= len(documents) // 5  # whole off-topic documents are never analysed
    assert levels.count(Analysis.FULL) < len(levels) // 2  # and most sentences are not parsed
    _assert_same_output(fast, full, documents)


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


def test_place_names_are_found_as_the_gazetteer_resolves_them(cascade: Cascade) -> None:
    def found(text: str) -> bool:
        return cascade.places.occur_in(cascade.nlp.make_doc(text))

    assert found("Une explosion a eu lieu à Gao.")
    assert found("Le convoi a été attaqué dans la région de Ménaka.")
    assert found("L'attaque a visé l'Adrar des Ifoghas.")
    assert found("Les soldats ont été tués au nord du Mali.")
    assert not found("Une explosion a eu lieu dans l'entrepôt du quartier.")
    assert not found("Un incendie s'est déclaré dans la cuisine de la cantine.")


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
def test_on_topic_sentences_carry_an_event(cascade: Cascade, sentence: str) -> None:
    cues = cascade.cues(sentence)
    assert cues.actor and cues.trigger and cues.carries_event


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
    assert cues.actor and not cues.trigger and not cues.carries_event


def test_place_taking_trigger_needs_a_place_name(cascade: Cascade) -> None:
    assert cascade.cues("Une attaque a frappé un camp militaire à Gao.").carries_event
    assert not cascade.cues("Une attaque a frappé un camp militaire dans la nuit.").carries_event


def test_off_topic_document_is_not_analysed(cascade: Cascade, fast: Pipeline) -> None:
    text = "Grève des cheminots\n\nLes trains régionaux resteront à quai jeudi, selon la direction."
    assert cascade.plan_text(text).skipped
    result = fast.process(_text(text))
    assert result.events == () and result.mentions == ()


def test_only_sentences_that_can_carry_an_event_are_parsed(cascade: Cascade) -> None:
    text = (
        "Le ministre marocain des Affaires étrangères a reçu son homologue mauritanien. "
        "Il fait beau à Rabat depuis lundi.\n"
        "La météo annonce de la pluie."
    )
    plan = cascade.plan_text(text)
    assert plan.levels == [Analysis.FULL, Analysis.NONE, Analysis.NONE]


def test_a_recurring_surname_gets_entities_or_a_parse(fast: Pipeline, cascade: Cascade) -> None:
    text = (
        "Le ministre nigérien de la Défense Ibrahim Kanouté a reçu le chef d'état-major malien.\n"
        "La pluie est tombée dans la soirée, a noté Kanouté.\n"
        "Kanouté a ensuite accueilli une délégation.\n"
        "Les rues sont restées calmes."
    )
    document = fast.cleaner.clean(_text(text))
    paragraphs = tokenise(fast.nlp, document.kept)
    plan = cascade.plan(paragraphs)
    assert plan.levels == [Analysis.FULL, Analysis.NONE, Analysis.NONE, Analysis.NONE]
    analyse(fast.nlp, plan.requests())
    cascade.refine(plan, document)
    # The second sentence names Kanouté with no cue (entities only); the third has a trigger.
    assert plan.levels == [Analysis.FULL, Analysis.NER, Analysis.FULL, Analysis.NONE]
    analyse(fast.nlp, plan.requests())
    second = paragraphs[1].parsed().doc
    assert second.has_annotation("ENT_IOB") and not second.has_annotation("DEP")
    # The entities are enough for the surname reference in the second sentence.
    mentions = fast.process(_text(text)).mentions
    assert any(m.kind == "person" and m.start == text.index("Kanouté.") for m in mentions)


def test_a_possessive_on_a_parsed_trigger_parses_every_actor_sentence(
    fast: Pipeline, cascade: Cascade
) -> None:
    text = (
        "Le Tchad a renforcé sa présence militaire au Niger.\n"
        "Leur coopération a été saluée par le Niger.\n"
        "Le Burkina Faso est enclavé."
    )
    document = fast.cleaner.clean(_text(text))
    plan = cascade.plan(tokenise(fast.nlp, document.kept))
    assert plan.levels[2] == Analysis.NONE  # an actor but no trigger
    analyse(fast.nlp, plan.requests())
    cascade.refine(plan, document)
    # "leur coopération": the event coder counts every state mention of the document.
    assert plan.levels[2] == Analysis.FULL
