"""No input makes the cost superlinear (issue 16): a text four times longer takes at most
about four times as long to code, whatever its shape.

Measured as a ratio of CPU times in this process (CPU time, because the machine is shared:
another process slows the wall clock, not this process's CPU time), never as an absolute
time. A quadratic term gives a ratio near 16 for 4x the text; the bound leaves room for the
fixed cost of a document and for noise, not for a quadratic term of any weight.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from veille.clean import Cleaner
from veille.model import Document
from veille.pipeline import Pipeline

#: Repeats of the small text; the large one has SCALE times as many.
REPEATS = 10
SCALE = 4
#: Time for SCALE times the text over time for the text (linear: about SCALE).
MAX_RATIO = 6.0

#: Sentences that reach each costly stage: an event with a place in its sentence; a person,
#: a reference ("les deux pays"), an epithet and a surname; an event whose place and date
#: come from other sentences; an organisation referred to later.
SENTENCES = (
    "Le Maroc et la France ont signé mardi à Rabat un accord de coopération sécuritaire "
    "pour lutter contre le terrorisme.",
    "Le ministre marocain des Affaires étrangères, Nasser Bourita, a reçu son homologue "
    "mauritanien ; les deux pays ont renforcé leur coopération et M. Bourita a salué le "
    "Royaume.",
    "Le Niger a condamné l'attaque menée par le JNIM contre le Mali, a annoncé le gouvernement.",
    "La CEDEAO a sanctionné le Mali et l'organisation régionale a demandé au Niger de "
    "libérer le président.",
)

#: How the repeats are laid out: one paragraph (the issue's file: one line), a line each,
#: and one run of text with no sentence end at all.
LAYOUTS: dict[str, Callable[[str, int], str]] = {
    "one paragraph": lambda sentence, n: " ".join([sentence] * n),
    "one line each": lambda sentence, n: "\n".join([sentence] * n),
    "no sentence end": lambda sentence, n: " et ".join([sentence.rstrip(".")] * n),
}


def _coding_seconds(pipeline: Pipeline, text: str) -> tuple[float, int]:
    """CPU seconds to code ``text`` as a document (best of two), and its events."""
    document = Document(Document.content_id(text), "<repeated>", f"Titre\n{text}\n", "txt")
    best, events = float("inf"), 0
    for _ in range(2):
        # A fresh cleaner each time: the near-duplicate memory would drop the second run.
        clean = Cleaner(coded=pipeline.languages).clean(document)
        started = time.process_time()
        result = pipeline.code(clean)
        best = min(best, time.process_time() - started)
        events = len(result.events)
    return best, events


@pytest.mark.parametrize("layout", LAYOUTS)
def test_four_times_the_text_takes_about_four_times_as_long(
    pipeline: Pipeline, layout: str
) -> None:
    text = " ".join(SENTENCES)
    compose = LAYOUTS[layout]
    _coding_seconds(pipeline, compose(text, 2))  # warm the caches (lexicons, memo tables)
    small, small_events = _coding_seconds(pipeline, compose(text, REPEATS))
    large, large_events = _coding_seconds(pipeline, compose(text, REPEATS * SCALE))
    assert small_events and large_events  # the events stages ran
    ratio = large / small
    assert ratio < MAX_RATIO, (
        f"{layout}: {REPEATS * SCALE} repeats took {large:.2f} s CPU, {ratio:.1f} times "
        f"{REPEATS} repeats ({small:.2f} s): superlinear"
    )
