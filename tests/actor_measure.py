"""Measure the actor recogniser on tests/data/actor_mentions.yaml (used by tests and the README).

Run: .venv/bin/python tests/actor_measure.py [-v] [--held-out]
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from veille.evaluate import GoldMention, MentionScore, score_mentions

LABELLED = Path(__file__).parent / "data" / "actor_mentions.yaml"
#: Written independently after the recogniser was tuned; measured only, never tuned on.
HELD_OUT = Path(__file__).parent / "data" / "actor_mentions_heldout.yaml"


def gold_mentions(item: dict) -> list[GoldMention]:
    text = item["text"]
    found = []
    for mention in item.get("mentions") or ():
        start = -1
        for _ in range(int(mention.get("occurrence", 1))):
            start = text.index(mention["text"], start + 1)
        found.append(
            GoldMention(
                start,
                start + len(mention["text"]),
                mention["code"],
                mention.get("name"),
                frozenset(mention.get("sector") or ()),
            )
        )
    return found


def measure(path: Path = LABELLED) -> MentionScore:
    from veille.actors import ActorRecogniser
    from veille.nlp import load_pipeline

    nlp = load_pipeline()
    recogniser = ActorRecogniser(nlp)
    score = MentionScore()
    for item in yaml.safe_load(path.read_text(encoding="utf-8")):
        predicted = [
            (m.actor, m.start, m.end) for m in recogniser.recognise_text(nlp, item["text"])
        ]
        score_mentions(gold_mentions(item), predicted, score, label=item["id"])
    return score


if __name__ == "__main__":
    result = measure(HELD_OUT if "--held-out" in sys.argv else LABELLED)
    if "-v" in sys.argv:
        print("\n".join(result.errors))
    print(
        f"actor mentions: precision {result.precision:.3f} recall {result.recall:.3f} "
        f"(TP {result.true_positives}, FP {result.false_positives}, FN {result.false_negatives})"
    )
