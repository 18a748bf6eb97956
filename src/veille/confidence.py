"""How likely a coded event is to be right: a small logistic model over the coder's signals.

The coder records, for every event, a few signals of how it was found (``Signals``): its
quad, whether the parse gave its parties or they were guessed, whether the article says it
more than once, whether it stands in the lede, whether it was put together from several
sentences. ``confidence`` is the logistic function of a weighted sum of these signals. The
weights live in ``data/confidence.yaml`` and are fitted by ``scripts/calibrate.py``
(``make calibrate``) on the real-article dev set, so that among the events given 0.8, about
80 % are right; the README shows the reliability plot.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from math import exp

from veille.lexicon import load_yaml
from veille.model import Signals


@lru_cache(maxsize=1)
def weights() -> Mapping[str, float]:
    return {name: float(value) for name, value in load_yaml("confidence.yaml")["weights"].items()}


def confidence(signals: Signals, model: Mapping[str, float] | None = None) -> float:
    """The model's probability that the event is right, in (0, 1)."""
    model = weights() if model is None else model
    total = model.get("bias", 0.0) + sum(
        model.get(name, 0.0) * value for name, value in signals.features().items()
    )
    return 1 / (1 + exp(-total))
