"""`make calibrate`: fit the confidence model (veille.confidence) on the real-article dev set.

Codes the rebuilt dev pages, labels each event right (its key is a gold key of its page,
optional ones included) or wrong, and fits an L2-regularised logistic regression of that label
on the coder's signals (``veille.model.Signals``). Writes the weights to
``src/veille/data/confidence.yaml`` with the fit's figures, after reporting the reliability of
the fitted model out of sample (pages split into folds: each fold scored by a model fitted on
the others), which is what to expect on pages never seen.

Reproducible: no randomness (folds by page order, Newton's method from zero).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

import numpy as np
import yaml
from eval_dev import BANDS, ROOT, code_pages, load_dev_gold, read_pages

from veille.evaluate import event_key
from veille.model import Signals

WEIGHTS = ROOT / "src" / "veille" / "data" / "confidence.yaml"
#: Strength of the L2 penalty, chosen by the out-of-sample reliability (1, 2, 5 and 10 tried:
#: 5 gave the best share right at 0.8 and above): few events per signal, modest weights.
PENALTY = 5.0
FOLDS = 5


def fit(x: np.ndarray, y: np.ndarray, penalty: float = PENALTY) -> np.ndarray:
    """Logistic regression by Newton's method; column 0 is the bias (not penalised)."""
    w = np.zeros(x.shape[1])
    ridge = penalty * np.eye(x.shape[1])
    ridge[0, 0] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-x @ w))
        gradient = x.T @ (p - y) + ridge @ w
        hessian = x.T @ (x * (p * (1 - p))[:, None]) + ridge
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def reliability(p: np.ndarray, y: np.ndarray) -> list[dict]:
    """Per confidence band (those of make eval-dev): events, share right, mean confidence."""
    rows = []
    for low, high in zip(BANDS, BANDS[1:], strict=False):
        inside = (p >= low) & (p < high)
        n = int(inside.sum())
        rows.append(
            {
                "band": f"{low:.1f}-{min(high, 1.0):.1f}",
                "events": n,
                "accuracy": float(y[inside].mean()) if n else None,
                "mean_confidence": float(p[inside].mean()) if n else None,
            }
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devset", type=Path, default=ROOT.parent / "shared" / "devset")
    parser.add_argument("--texts", type=Path, default=ROOT / "devset")
    parser.add_argument("--dry-run", action="store_true", help="report only, write nothing")
    args = parser.parse_args()

    pages, documents = read_pages(args.devset, args.texts)
    if not documents:
        print(f"no rebuilt page under {args.texts}: rebuild them as {args.devset}/README.md says")
        return 2
    names, gold = load_dev_gold(args.devset, pages)
    coded = code_pages(documents)
    signals = [event.signals or Signals(event.event) for event, _ in coded]
    names_of_features = ["bias", *signals[0].features()]
    x = np.array([[1.0, *s.features().values()] for s in signals])
    y = np.array(
        [
            float(
                event_key(record, names)
                in (gold[record["_doc"]].required | gold[record["_doc"]].optional)
            )
            for _, record in coded
        ]
    )
    docs = [record["_doc"] for _, record in coded]
    order = sorted(set(docs))
    fold_of = {doc: i % FOLDS for i, doc in enumerate(order)}
    held_out = np.zeros(len(y))
    for fold in range(FOLDS):
        test = np.array([fold_of[d] == fold for d in docs])
        w = fit(x[~test], y[~test])
        held_out[test] = 1 / (1 + np.exp(-x[test] @ w))
    weights = fit(x, y)

    print(f"{len(y)} events on {len(order)} pages, {y.mean():.3f} right")
    print("out-of-sample reliability (pages in 5 folds):")
    bands = reliability(held_out, y)
    for row in bands:
        share = row["accuracy"]
        print(f"  {row['band']}: {row['events']:4d} events, {share and round(share, 3)} right")
    for threshold in (0.7, 0.8):
        inside = held_out >= threshold
        share = float(y[inside].mean()) if inside.any() else None
        print(f"  >= {threshold}: {int(inside.sum())} events, {share} right")
    for name, value in zip(names_of_features, weights, strict=True):
        print(f"  {name:22s} {value:+.3f}")
    if args.dry_run:
        return 0
    # The out-of-sample bands, for the reliability plot of make eval-dev.
    (ROOT / "eval").mkdir(exist_ok=True)
    (ROOT / "eval" / "calibration-out-of-sample.json").write_text(
        json.dumps({"penalty": PENALTY, "folds": FOLDS, "bands": bands}, indent=1) + "\n"
    )
    header = (
        "# Weights of the confidence model (veille.confidence): L2 logistic regression over the\n"
        "# coder's signals, fitted by `make calibrate` (scripts/calibrate.py) on the real-article\n"
        f"# dev set on {date.today().isoformat()}: {len(y)} events on {len(order)} pages, "
        f"{y.mean():.3f} right.\n"
        "# Do not edit by hand: change the coder, then run make calibrate.\n"
    )
    body = {
        "weights": {n: round(float(v), 4) for n, v in zip(names_of_features, weights, strict=True)}
    }
    WEIGHTS.write_text(header + yaml.safe_dump(body, sort_keys=False))
    print(f"wrote {WEIGHTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
