"""`make eval-dev`: Veille on the real-article development set.

Codes the rebuilt dev pages (``devset/<id>.txt``, git-ignored; see ``../shared/devset/README.md``)
with their publication dates, scores them against ``../shared/devset/gold.jsonl`` as the spec
says (group names through ``names.json``), and writes:

- ``eval/dev-report.md``: P/R/F1 per language and per event type, the confusion table of types,
  date and place fill rates, calibration bands, and the misses and false positives per page;
- ``eval/dev-figures.json``: the same figures for machines;
- ``eval/reliability.png``: the reliability plot of ``confidence``;
- ``build/dev-events.jsonl``: the predicted events (never committed: they quote the pages).

Figures only: no page text goes into the committed files (evidence stays in build/).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from veille.evaluate import (
    Counts,
    GoldDocument,
    Score,
    by_type,
    confusions,
    event_key,
    format_key,
    load_gold,
    load_names,
    score,
)
from veille.ingest import read_file
from veille.model import Document, Event

ROOT = Path(__file__).resolve().parent.parent
#: Confidence bands of the reliability table and plot.
BANDS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001)


def published_date(value: str | None) -> date | None:
    """The index gives "YYYY-MM-DD" or "YYYY-MM"; a month is anchored on its first day."""
    if not value:
        return None
    parts = [int(p) for p in value.split("-")]
    return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def read_pages(devset: Path, texts: Path) -> tuple[list[dict[str, Any]], list[Document]]:
    index = [json.loads(line) for line in (devset / "index.jsonl").read_text().splitlines()]
    documents, present = [], []
    for page in index:
        path = texts / f"{page['id']}.txt"
        if not path.is_file():
            continue
        length = len(path.read_text(encoding="utf-8"))
        if length != page["chars"]:
            print(f"warning: {path}: {length} characters, the index says {page['chars']}")
        for item in read_file(str(path)):
            if isinstance(item, Document):
                documents.append(replace(item, published=published_date(page["published"])))
        present.append(page)
    return present, documents


def code_pages(documents: list[Document]) -> list[tuple[Event, dict[str, Any]]]:
    """Every event of the pages, with its JSON record (``_doc``: the page's file name)."""
    from veille.pipeline import Pipeline

    coded = []
    for result in Pipeline().process_batch(documents):
        for event in result.events:
            record = event.to_json()
            record["_doc"] = Path(record["doc_path"]).name
            coded.append((event, record))
    return coded


def load_dev_gold(
    devset: Path, pages: list[dict[str, Any]]
) -> tuple[dict, dict[str, GoldDocument]]:
    """The name map and the gold of the pages present, by file name."""
    names = load_names(json.loads((devset / "names.json").read_text(encoding="utf-8")))
    present = {f"{p['id']}.txt" for p in pages}
    lines = (devset / "gold.jsonl").read_text(encoding="utf-8").splitlines()
    return names, {g.doc: g for g in load_gold(lines, names) if g.doc in present}


def counts_of(result: Score, docs: set[str]) -> Counts:
    counts = Counts()
    for document in result.documents:
        if document.doc in docs:
            counts.true_positives += len(document.true_positives)
            counts.false_positives += len(document.false_positives)
            counts.false_negatives += len(document.misses)
    return counts


def figures(c: Counts) -> dict[str, float | int]:
    return {
        "precision": round(c.precision, 3),
        "recall": round(c.recall, 3),
        "f1": round(c.f1, 3),
        "tp": c.true_positives,
        "fp": c.false_positives,
        "fn": c.false_negatives,
    }


def dyad_counts(gold: list[GoldDocument], predicted: dict[str, set]) -> Counts:
    """The same score on participant sets alone (the type ignored)."""
    counts = Counts()
    for document in gold:
        predicted_sets = {p for _, p in predicted.get(document.doc, set())}
        required = {p for _, p in document.required}
        optional = {p for _, p in document.optional}
        counts.true_positives += len(predicted_sets & required)
        counts.false_positives += len(predicted_sets - required - optional)
        counts.false_negatives += len(required - predicted_sets)
    return counts


def calibration(records: list[dict[str, Any]], gold: dict[str, GoldDocument], names) -> list[dict]:
    """Per confidence band: events, share right (their key is a gold key, optional included)."""
    bands = []
    for low, high in zip(BANDS, BANDS[1:], strict=False):
        inside = [r for r in records if low <= r["confidence"] < high]
        right = sum(
            event_key(r, names) in (gold[r["_doc"]].required | gold[r["_doc"]].optional)
            for r in inside
        )
        bands.append(
            {
                "band": f"{low:.1f}-{min(high, 1.0):.1f}",
                "events": len(inside),
                "right": right,
                "accuracy": round(right / len(inside), 3) if inside else None,
                "mean_confidence": (
                    round(sum(r["confidence"] for r in inside) / len(inside), 3) if inside else None
                ),
            }
        )
    at_least = {}
    for threshold in (0.5, 0.6, 0.7, 0.8, 0.9):
        inside = [r for r in records if r["confidence"] >= threshold]
        right = sum(
            event_key(r, names) in (gold[r["_doc"]].required | gold[r["_doc"]].optional)
            for r in inside
        )
        at_least[f">={threshold}"] = {
            "events": len(inside),
            "accuracy": round(right / len(inside), 3) if inside else None,
        }
    return bands, at_least


def plot_reliability(bands: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    used = [b for b in bands if b["events"]]
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(5.5, 6), gridspec_kw={"height_ratios": [3, 1]}, sharex=True
    )
    top.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    top.plot(
        [b["mean_confidence"] for b in used],
        [b["accuracy"] for b in used],
        marker="o",
        label="dev pages, model fitted on them",
    )
    cross = path.parent / "calibration-out-of-sample.json"
    if cross.is_file():  # written by make calibrate
        held_out = [b for b in json.loads(cross.read_text())["bands"] if b["events"]]
        top.plot(
            [b["mean_confidence"] for b in held_out],
            [b["accuracy"] for b in held_out],
            marker="s",
            label="dev pages out of sample (5 folds)",
        )
    top.set_ylabel("share of events that are right")
    top.set_ylim(0, 1.02)
    top.legend(loc="upper left")
    top.set_title("Reliability of `confidence` on the dev pages")
    bottom.bar(
        [b["mean_confidence"] for b in used], [b["events"] for b in used], width=0.05, color="C1"
    )
    bottom.set_xlabel("confidence (mean of the band)")
    bottom.set_ylabel("events")
    bottom.set_xlim(0.3, 1.0)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def fill_rates(records: list[dict[str, Any]], published: set[str]) -> dict[str, Any]:
    """Dates are counted where the page's publication date is known (the issue's measure)."""
    current = [r for r in records if not r["historical"] and r["_doc"] in published]
    dated = [r for r in current if r["date"]]
    placed = [r for r in records if r["event_loc"]]
    sources = Counter(r.get("date_source") or "none" for r in current)
    return {
        "events": len(records),
        "non_historical_with_publication_date": len(current),
        "dated_share": round(len(dated) / len(current), 3) if current else None,
        "date_sources": dict(sources),
        "placed_share": round(len(placed) / len(records), 3) if records else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devset", type=Path, default=ROOT.parent / "shared" / "devset")
    parser.add_argument("--texts", type=Path, default=ROOT / "devset")
    parser.add_argument("--out", type=Path, default=ROOT / "eval")
    parser.add_argument("--events", type=Path, default=ROOT / "build" / "dev-events.jsonl")
    parser.add_argument("--quiet", action="store_true", help="figures only, no per-page list")
    args = parser.parse_args()

    if not (args.devset / "gold.jsonl").is_file():
        print(f"no dev set at {args.devset} (gold.jsonl missing)")
        return 2
    pages, documents = read_pages(args.devset, args.texts)
    if not documents:
        print(f"no rebuilt page under {args.texts}: rebuild them as {args.devset}/README.md says")
        return 2

    records = [record for _, record in code_pages(documents)]
    args.events.parent.mkdir(parents=True, exist_ok=True)
    with args.events.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps({k: v for k, v in record.items() if k != "_doc"}) + "\n")

    names, gold_by_doc = load_dev_gold(args.devset, pages)
    gold = list(gold_by_doc.values())
    present = set(gold_by_doc)
    predicted: dict[str, set] = defaultdict(set)
    for record in records:
        predicted[record["_doc"]].add(event_key(record, names))
    result = score(gold, predicted)

    language_of = {f"{p['id']}.txt": p["language"] for p in pages}
    report: dict[str, Any] = {"pages": len(pages), "languages": {}}
    for language in sorted(set(language_of.values())):
        docs = {d for d, lang in language_of.items() if lang == language}
        lang_gold = [g for g in gold if g.doc in docs]
        report["languages"][language] = {
            "pages": len(docs),
            **figures(counts_of(result, docs)),
            "dyad_f1": round(dyad_counts(lang_gold, predicted).f1, 3),
        }
    report["all"] = figures(counts_of(result, present))
    report["types"] = {t: figures(c) for t, c in by_type(result).items()}
    report["confusions"] = [
        {"gold": g, "predicted": p, "count": n} for (g, p), n in confusions(result).most_common()
    ]
    report["dates_and_places"] = fill_rates(
        records, {f"{p['id']}.txt" for p in pages if p["published"]}
    )
    bands, at_least = calibration(records, gold_by_doc, names)
    report["calibration"] = {"bands": bands, "at_least": at_least}
    plot_reliability(bands, args.out / "reliability.png")

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "dev-figures.json").write_text(json.dumps(report, indent=1) + "\n")
    markdown = render(report, result, language_of)
    (args.out / "dev-report.md").write_text(markdown)
    print(markdown if not args.quiet else render(report, None, language_of))
    return 0


def render(report: dict[str, Any], result: Score | None, language_of: dict[str, str]) -> str:
    lines = [
        "# Veille on the real-article dev set",
        "",
        "Written by `make eval-dev` (scripts/eval_dev.py); figures only, no page text.",
        "",
        "## Per language",
        "",
        "| language | pages | P | R | F1 | TP | FP | FN | dyad F1 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for language, f in report["languages"].items():
        lines.append(
            f"| {language} | {f['pages']} | {f['precision']:.3f} | {f['recall']:.3f} | "
            f"{f['f1']:.3f} | {f['tp']} | {f['fp']} | {f['fn']} | {f['dyad_f1']:.3f} |"
        )
    a = report["all"]
    lines.append(
        f"| all | {report['pages']} | {a['precision']:.3f} | {a['recall']:.3f} | {a['f1']:.3f} "
        f"| {a['tp']} | {a['fp']} | {a['fn']} | |"
    )
    lines += ["", "## Per event type (all languages)", "", "| type | P | R | F1 | TP | FP | FN |"]
    lines.append("|---|---|---|---|---|---|---|")
    for event_type, f in report["types"].items():
        lines.append(
            f"| {event_type} | {f['precision']:.3f} | {f['recall']:.3f} | {f['f1']:.3f} "
            f"| {f['tp']} | {f['fp']} | {f['fn']} |"
        )
    lines += ["", "## Confusions (right parties, wrong type)", "", "| gold | predicted | n |"]
    lines.append("|---|---|---|")
    lines += [f"| {c['gold']} | {c['predicted']} | {c['count']} |" for c in report["confusions"]]
    d = report["dates_and_places"]
    lines += [
        "",
        "## Dates and places",
        "",
        f"- events: {d['events']}; not historical, on pages with a publication date: "
        f"{d['non_historical_with_publication_date']}",
        f"- of these, with a date: {d['dated_share']} (sources: {d['date_sources']})",
        f"- events with a place: {d['placed_share']}",
        "",
        "## Calibration of `confidence`",
        "",
        "| band | events | right | share right | mean confidence |",
        "|---|---|---|---|---|",
    ]
    for b in report["calibration"]["bands"]:
        lines.append(
            f"| {b['band']} | {b['events']} | {b['right']} | {b['accuracy']} "
            f"| {b['mean_confidence']} |"
        )
    lines.append("")
    for threshold, f in report["calibration"]["at_least"].items():
        lines.append(f"- confidence {threshold}: {f['events']} events, {f['accuracy']} right")
    if result is not None:
        lines += ["", "## Misses and false positives per page", ""]
        for document in result.documents:
            if not (document.misses or document.false_positives):
                continue
            lines.append(f"- {document.doc} ({language_of[document.doc]})")
            # sorted as text: frozensets only have a partial order
            lines += [f"  - missed {k}" for k in sorted(map(format_key, document.misses))]
            lines += [f"  - extra {k}" for k in sorted(map(format_key, document.false_positives))]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
