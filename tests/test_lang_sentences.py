"""The Spanish and English labelled sentences (tests/data/event_sentences_<code>.yaml), coded
by the same coder as French with each language's folder; written blind, before any tuning.

Each item must come out exactly, unless it is listed in event_known_misses_<code>.txt (then it
is an expected failure, and the test fails once it passes, so the list stays true); and the
set as a whole keeps the scores it had when measured (README, "Languages").
"""

from __future__ import annotations

import pytest
from event_measure import code_items, language_files, load_items, scores

from veille.coding import installed_languages

#: Scores measured when the sets were written and the lexicons last tuned; a regression
#: below these bounds fails.
FLOORS = {"es": 0.70, "en": 0.64}
LANGUAGES = tuple(FLOORS)


def _items(language: str) -> list[dict]:
    path, _ = language_files(language)
    return load_items(path) if path.is_file() else []


def _known_misses(language: str) -> set[str]:
    _, misses = language_files(language)
    if not misses.is_file():
        return set()
    lines = misses.read_text(encoding="utf-8").splitlines()
    return {line.split()[0] for line in lines if line.strip() and not line.startswith("#")}


def _need_parser(language: str) -> None:
    if language not in installed_languages():
        pytest.skip(f"the {language} parser is not installed (make install)")


@pytest.fixture(scope="module")
def results(pipeline) -> dict[str, dict]:
    coded: dict[str, dict] = {}
    for language in LANGUAGES:
        if language in installed_languages():
            coded[language] = {r.id: r for r in code_items(_items(language), pipeline)}
    return coded


@pytest.mark.parametrize(
    ("language", "item_id"),
    [(language, item["id"]) for language in LANGUAGES for item in _items(language)],
)
def test_labelled_sentence(language: str, item_id: str, results) -> None:
    _need_parser(language)
    result = results[language][item_id]
    if item_id in _known_misses(language):
        if result.passed:
            pytest.fail(f"{item_id} now passes: remove it from its known-misses file")
        pytest.xfail(
            f"known miss: expected {sorted(result.expected)} got {sorted(result.predicted)}"
        )
    assert result.predicted == result.expected


@pytest.mark.parametrize("language", LANGUAGES)
def test_set_size_types_and_scores(language: str, results) -> None:
    items = _items(language)
    assert len(items) >= 100, language
    types = {e["event"] for item in items for e in item["events"]}
    assert len(types) == 16, sorted(types)
    tags = {tag for item in items for tag in item.get("tags") or ()}
    assert {"negation", "passive", "coordination"} <= tags, sorted(tags)
    _need_parser(language)
    precision, recall, f1 = scores(list(results[language].values()))
    assert f1 >= FLOORS[language], (precision, recall, f1)
