"""Scoring of predicted events against a gold standard, as ``shared/spec/EVENTS.md`` says.

Per document, gold and predictions are sets of keys ``(event type, participants)``,
participants being the set of identities (the code for a state actor, the canonical
name for a non-state actor or organisation). Optional gold keys are neither rewarded
nor punished. Precision, recall and F1 are micro-averaged over the gold documents.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from veille.model import Actor

EventKey = tuple[str, frozenset[str]]


@dataclass(frozen=True, slots=True)
class GoldDocument:
    doc: str
    required: frozenset[EventKey]
    optional: frozenset[EventKey]


class PrecisionRecall:
    """Precision, recall and F1 from the counts a subclass provides."""

    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 0.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(slots=True)
class DocumentScore:
    doc: str
    true_positives: set[EventKey] = field(default_factory=set)
    false_positives: set[EventKey] = field(default_factory=set)
    misses: set[EventKey] = field(default_factory=set)


@dataclass(slots=True)
class Score(PrecisionRecall):
    documents: list[DocumentScore]
    unmatched_predictions: list[str]  # predicted documents absent from the gold

    @property
    def true_positives(self) -> int:
        return sum(len(d.true_positives) for d in self.documents)

    @property
    def false_positives(self) -> int:
        return sum(len(d.false_positives) for d in self.documents)

    @property
    def false_negatives(self) -> int:
        return sum(len(d.misses) for d in self.documents)


#: Variant name (normalised by ``name_form``) -> canonical name of a group or organisation.
NameMap = Mapping[str, str]


def name_form(name: str) -> str:
    """What two spellings of one name share: no accents, case, hyphens or curly apostrophes."""
    decomposed = unicodedata.normalize("NFKD", name.replace("’", "'").replace("-", " "))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.lower().split())


def load_names(data: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """A name map from ``{canonical: [variants]}`` (the dev set's ``names.json``)."""
    names: dict[str, str] = {}
    for canonical, variants in data.items():
        for variant in (canonical, *variants):
            names[name_form(variant)] = canonical
    return names


def canonical_identity(identity: str, names: NameMap | None) -> str:
    """A state code stays as it is; a group or organisation's name becomes its canonical one."""
    if not names:
        return identity
    return names.get(name_form(identity), identity)


def event_key(record: dict[str, Any], names: NameMap | None = None) -> EventKey:
    """The scoring key of one predicted event record (spec JSON)."""
    participants = frozenset(
        canonical_identity(_actor_from_json(a).identity, names)
        for a in (*record["actor"], *record["recipient"])
    )
    return record["event"], participants


def _actor_from_json(data: dict[str, Any]) -> Actor:
    return Actor(
        code=data["code"],
        sector=tuple(data.get("sector") or ()),
        name=data.get("name") or data["code"],
        entity_text=data.get("entity_text") or "",
    )


def load_gold(lines: Iterable[str], names: NameMap | None = None) -> list[GoldDocument]:
    documents = []
    for line in lines:
        if not line.strip():
            continue
        record = json.loads(line)
        required, optional = set(), set()
        for event in record["events"]:
            participants = (canonical_identity(p, names) for p in event["participants"])
            key = (event["event"], frozenset(participants))
            (optional if event.get("optional") else required).add(key)
        documents.append(GoldDocument(record["doc"], frozenset(required), frozenset(optional)))
    return documents


def load_predictions(
    lines: Iterable[str], names: NameMap | None = None
) -> dict[str, set[EventKey]]:
    """Predicted keys grouped by document file name (``doc_path``'s last component)."""
    by_document: dict[str, set[EventKey]] = defaultdict(set)
    for line in lines:
        if line.strip():
            record = json.loads(line)
            by_document[document_name(record["doc_path"])].add(event_key(record, names))
    return by_document


def document_name(doc_path: str) -> str:
    return PurePath(doc_path.split("#", 1)[0]).name


def score(gold: list[GoldDocument], predictions: dict[str, set[EventKey]]) -> Score:
    scores = []
    for document in gold:
        predicted = predictions.get(document.doc, set())
        result = DocumentScore(document.doc)
        result.true_positives = predicted & document.required
        result.false_positives = predicted - document.required - document.optional
        result.misses = set(document.required - predicted)
        scores.append(result)
    gold_names = {d.doc for d in gold}
    return Score(scores, sorted(set(predictions) - gold_names))


@dataclass(slots=True)
class Counts(PrecisionRecall):
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0


def by_type(result: Score) -> dict[str, Counts]:
    """Micro counts per event type (a key is counted under its own type)."""
    counts: dict[str, Counts] = defaultdict(Counts)
    for document in result.documents:
        for event, _ in document.true_positives:
            counts[event].true_positives += 1
        for event, _ in document.false_positives:
            counts[event].false_positives += 1
        for event, _ in document.misses:
            counts[event].false_negatives += 1
    return dict(sorted(counts.items()))


def confusions(result: Score) -> Counter[tuple[str, str]]:
    """(gold type, predicted type) for each missed key whose participants a false positive of
    another type in the same document has: the parties were right, the type was not."""
    pairs: Counter[tuple[str, str]] = Counter()
    for document in result.documents:
        for gold_type, participants in document.misses:
            for predicted_type, predicted in document.false_positives:
                if predicted == participants and predicted_type != gold_type:
                    pairs[gold_type, predicted_type] += 1
    return pairs


def format_key(key: EventKey) -> str:
    event, participants = key
    return f"{event}({', '.join(sorted(participants))})"


# -- actor mentions -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GoldMention:
    start: int
    end: int
    code: str
    name: str | None  # canonical name for non-state actors, None for states
    sectors: frozenset[str]


@dataclass(slots=True)
class MentionScore(PrecisionRecall):
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    errors: list[str] = field(default_factory=list)


def mention_matches(gold: GoldMention, actor: Actor, start: int, end: int) -> bool:
    """Spans overlap, codes agree, names agree for non-state actors, gold sectors are included."""
    if start >= gold.end or end <= gold.start or actor.code != gold.code:
        return False
    if gold.name is not None and actor.identity != gold.name:
        return False
    return gold.sectors <= set(actor.sector)


def score_mentions(
    gold: list[GoldMention],
    predicted: list[tuple[Actor, int, int]],
    score: MentionScore,
    label: str = "",
) -> None:
    """Add one text's one-to-one matches to ``score``.

    Several gold mentions may share a span ("les deux pays" is two countries), so each
    prediction can match at most one gold mention and vice versa.
    """
    unmatched = list(range(len(predicted)))
    for mention in gold:
        hit = next((i for i in unmatched if mention_matches(mention, *predicted[i])), None)
        if hit is None:
            score.false_negatives += 1
            score.errors.append(f"{label} missed {mention.code}/{mention.name} at {mention.start}")
        else:
            unmatched.remove(hit)
            score.true_positives += 1
    for i in unmatched:
        actor, start, end = predicted[i]
        score.false_positives += 1
        score.errors.append(
            f"{label} extra {actor.code}/{actor.name} '{actor.entity_text}' at {start}"
        )
