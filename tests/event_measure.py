"""Run the event coder on tests/data/event_sentences.yaml (used by tests and the README).

Run: .venv/bin/python tests/event_measure.py [-v] [--write-known-misses] [--held-out]
     [--language es|en]   (the Spanish or English set, event_sentences_<code>.yaml)

The held-out set (event_sentences_heldout.yaml) was written by someone who never saw the
coder and is only measured, never tuned on: do not add rules from its failures.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from veille.model import Document

SENTENCES = Path(__file__).parent / "data" / "event_sentences.yaml"
KNOWN_MISSES = Path(__file__).parent / "data" / "event_known_misses.txt"
KNOWN_MISSES_HEADER = """\
# Items of event_sentences.yaml the coder does not yet get exactly right, with what was
# expected and what it produced when this list was last written (tests/event_measure.py
# --write-known-misses). The tests mark them as expected failures and fail when one
# starts passing, so the list stays true.
"""
Key = tuple[str, frozenset[str]]


@dataclass
class ItemResult:
    id: str
    expected: set[Key]
    predicted: set[Key]
    tags: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.expected == self.predicted


HELD_OUT = Path(__file__).parent / "data" / "event_sentences_heldout.yaml"


def language_files(language: str) -> tuple[Path, Path]:
    """The labelled sentences of a language other than French, and its known misses."""
    data = Path(__file__).parent / "data"
    return data / f"event_sentences_{language}.yaml", data / f"event_known_misses_{language}.txt"


def load_items(path: Path = SENTENCES) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def code_items(items: list[dict], pipeline=None) -> list[ItemResult]:  # noqa: ANN001
    from veille.pipeline import Pipeline

    pipeline = pipeline or Pipeline()
    results = []
    for item in items:
        published = item.get("published")
        text = item["text"]
        document = Document(
            Document.content_id(text),
            f"{item['id']}.txt",
            text,
            "txt",
            published=published if isinstance(published, date) else None,
        )
        result = pipeline.process(document)
        expected = {(e["event"], frozenset(e["participants"])) for e in item["events"]}
        predicted = {(e.event, e.participants) for e in result.events}
        results.append(ItemResult(item["id"], expected, predicted, item.get("tags") or []))
    return results


def scores(results: list[ItemResult]) -> tuple[float, float, float]:
    tp = sum(len(r.expected & r.predicted) for r in results)
    fp = sum(len(r.predicted - r.expected) for r in results)
    fn = sum(len(r.expected - r.predicted) for r in results)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _fmt(keys: set[Key]) -> str:
    return ", ".join(f"{e}({'+'.join(sorted(p))})" for e, p in sorted(keys, key=str)) or "-"


if __name__ == "__main__":
    path, misses = (HELD_OUT if "--held-out" in sys.argv else SENTENCES), KNOWN_MISSES
    if "--language" in sys.argv:
        path, misses = language_files(sys.argv[sys.argv.index("--language") + 1])
    results = code_items(load_items(path))
    for result in results:
        if not result.passed and "-v" in sys.argv:
            print(f"{result.id}: expected {_fmt(result.expected)} | got {_fmt(result.predicted)}")
    if "--write-known-misses" in sys.argv:
        lines = [
            f"{r.id}  expected {_fmt(r.expected)} | got {_fmt(r.predicted)}"
            for r in results
            if not r.passed
        ]
        header = KNOWN_MISSES_HEADER.replace("event_sentences.yaml", path.name)
        misses.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    passed = sum(r.passed for r in results)
    precision, recall, f1 = scores(results)
    print(
        f"{passed}/{len(results)} items exact; events P {precision:.3f} R {recall:.3f} F1 {f1:.3f}"
    )
