"""`make eval-stories`: B-cubed precision and recall of story merging.

Two gold sets of story clusters:

- ``tests/data/stories/articles.jsonl``: short articles written for Veille, several outlets
  telling the same events (some wire copies, dates at several precisions, confusable stories
  of the same type and parties on other days), with ``gold.jsonl`` naming which documents
  tell each story (type and parties);
- the real dev pages (``devset/<id>.txt``, git-ignored, rebuilt as ``../shared/devset``
  says): ``dev-gold.jsonl`` lists the gold events (ids only) that several pages report;
  every other gold event of a page is a story of its own.

The articles are coded by the pipeline and merged in order of publication (``StoryBook``,
the store's merging in memory). Each predicted event that matches a gold event (same page,
same type, agreeing parties) takes that gold event's story; the others (extraction errors)
are left out of the scores and counted. Writes ``eval/stories-figures.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from veille.evaluate import NameMap, canonical_identity, load_names
from veille.ingest import read_file
from veille.model import Document, DocumentResult
from veille.stories import StoryBook, members_of, participants_agree

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "stories"
sys.path.insert(0, str(ROOT / "scripts"))
from eval_dev import published_date  # noqa: E402


@dataclass(frozen=True, slots=True)
class GoldEvent:
    doc: str
    event: str
    participants: frozenset[str]
    story: str


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def written_articles() -> tuple[list[Document], list[GoldEvent]]:
    documents = [
        Document(
            Document.content_id(item["text"]),
            item["id"],
            item["text"],
            "jsonl",
            url=item["url"],
            published=published_date(item["published"]),
        )
        for item in read_jsonl(DATA / "articles.jsonl")
    ]
    gold = [
        GoldEvent(doc, story["event"], frozenset(story["participants"]), story["story"])
        for story in read_jsonl(DATA / "gold.jsonl")
        for doc in story["docs"]
    ]
    return documents, gold


def dev_pages(devset: Path, texts: Path, names: NameMap) -> tuple[list[Document], list[GoldEvent]]:
    """The dev pages present under ``texts``, and their gold events with story labels."""
    index = {page["id"]: page for page in read_jsonl(devset / "index.jsonl")}
    shared = {
        (doc, story["event"], frozenset(story["participants"])): story["story"]
        for story in read_jsonl(DATA / "dev-gold.jsonl")
        for doc in story["docs"]
    }
    documents: list[Document] = []
    gold: list[GoldEvent] = []
    for page in read_jsonl(devset / "gold.jsonl"):
        doc = page["doc"].removesuffix(".txt")
        path = texts / page["doc"]
        if not path.is_file():
            continue
        for item in read_file(str(path)):
            if isinstance(item, Document):
                meta = index[doc]
                published = published_date(meta["published"])
                documents.append(
                    replace(item, doc_path=doc, url=meta["source"], published=published)
                )
        for event in page["events"]:
            parties = frozenset(canonical_identity(p, names) for p in event["participants"])
            key = (doc, event["event"], parties)
            story = shared.get(key, f"{doc}:{event['event']}:{'+'.join(sorted(parties))}")
            gold.append(GoldEvent(doc, event["event"], parties, story))
    return documents, gold


def label(doc: str, event: str, parties: frozenset[str], gold: list[GoldEvent]) -> str | None:
    """The story of the gold event that a predicted event stands for, if any."""
    candidates = [
        g
        for g in gold
        if g.doc == doc and g.event == event and participants_agree(g.participants, parties)
    ]
    if not candidates:
        return None
    exact = [g for g in candidates if g.participants == parties]
    return (exact or sorted(candidates, key=lambda g: -len(g.participants & parties)))[0].story


def b_cubed(predicted: dict[str, str], gold: dict[str, str]) -> tuple[float, float]:
    """B-cubed precision and recall of a clustering of items against the gold clustering."""
    by_predicted: dict[str, set[str]] = defaultdict(set)
    by_gold: dict[str, set[str]] = defaultdict(set)
    for item, cluster in predicted.items():
        by_predicted[cluster].add(item)
    for item, cluster in gold.items():
        by_gold[cluster].add(item)
    precision = recall = 0.0
    for item in predicted:
        same = by_predicted[predicted[item]] & by_gold[gold[item]]
        precision += len(same) / len(by_predicted[predicted[item]])
        recall += len(same) / len(by_gold[gold[item]])
    n = len(predicted) or 1
    return precision / n, recall / n


def evaluate(
    results: list[DocumentResult], gold: list[GoldEvent], names: NameMap | None = None
) -> dict[str, Any]:
    book = StoryBook()
    predicted: dict[str, str] = {}
    truth: dict[str, str] = {}
    unmatched = 0
    ordered = sorted(results, key=lambda r: (r.document.published or date.min, r.document.doc_path))
    for result in ordered:
        doc = result.document.doc_path
        for member in members_of(result):
            story_id = book.add(member, result.document.text)
            parties = frozenset(canonical_identity(p, names) for p in member.participants)
            story = label(doc, member.event, parties, gold)
            if story is None:
                unmatched += 1
                continue
            item = f"{doc}#{member.event_id}"
            predicted[item], truth[item] = story_id, story
    precision, recall = b_cubed(predicted, truth)
    clusters: dict[str, set[str]] = defaultdict(set)
    for item, story_id in predicted.items():
        clusters[story_id].add(truth[item])
    merged_wrongly = sorted(sorted(stories) for stories in clusters.values() if len(stories) > 1)
    gold_split: dict[str, set[str]] = defaultdict(set)
    for item, story in truth.items():
        gold_split[story].add(predicted[item])
    split = sorted(story for story, ids in gold_split.items() if len(ids) > 1)
    gold_stories = {g.story for g in gold}
    multi = {s for s in gold_stories if len({g.doc for g in gold if g.story == s}) > 1}
    return {
        "documents": len(results),
        "events": len(predicted) + unmatched,
        "events_scored": len(predicted),
        "events_not_in_gold": unmatched,
        "gold_stories": len(gold_stories),
        "gold_stories_with_several_sources": len(multi),
        "gold_events": len(gold),
        "stories_predicted": len(set(predicted.values())),
        "bcubed_precision": round(precision, 3),
        "bcubed_recall": round(recall, 3),
        "merged_wrongly": merged_wrongly,  # gold stories that share a predicted story
        "split": split,  # gold stories spread over several predicted stories
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--devset", type=Path, default=ROOT.parent / "shared" / "devset")
    parser.add_argument("--texts", type=Path, default=ROOT / "devset")
    parser.add_argument("--output", type=Path, default=ROOT / "eval" / "stories-figures.json")
    args = parser.parse_args()
    from veille.pipeline import Pipeline

    pipeline = Pipeline()
    figures: dict[str, Any] = {}
    sets = {"written": written_articles()}
    names: NameMap | None = None
    if (args.devset / "gold.jsonl").is_file() and any(args.texts.glob("d*.txt")):
        names = load_names(json.loads((args.devset / "names.json").read_text(encoding="utf-8")))
        sets["dev"] = dev_pages(args.devset, args.texts, names)
    else:
        print(f"warning: no dev pages under {args.texts}: the dev set is left out")
    everything: tuple[list[DocumentResult], list[GoldEvent]] = ([], [])
    for name, (documents, gold) in sets.items():
        results = [pipeline.process(document) for document in documents]
        figures[name] = evaluate(results, gold, names)
        everything[0].extend(results)
        everything[1].extend(gold)
    if len(sets) > 1:
        # Both sets in one book: stories of one must not swallow the other's.
        figures["all"] = evaluate(*everything, names)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    for name, values in figures.items():
        print(
            f"{name:8} B-cubed precision {values['bcubed_precision']:.3f}"
            f" recall {values['bcubed_recall']:.3f}  ({values['events_scored']} events scored,"
            f" {values['gold_stories']} gold stories, {values['documents']} documents)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
