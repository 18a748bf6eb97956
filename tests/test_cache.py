"""The on-disk cache of compiled data (veille.cache): used, rebuilt when a source changes,
never fatal. No timings here: bench/startup.py measures the start-up."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from spacy.matcher import PhraseMatcher

from veille import cache, places
from veille.cache import CACHE_DIR_ENV, cached
from veille.lexicons import TriggerLexicon
from veille.nlp import phrase_patterns


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_DIR_ENV, str(folder))
    return folder


class Builder:
    """A build function that counts its calls."""

    def __init__(self, value: object) -> None:
        self.value, self.calls = value, 0

    def __call__(self) -> object:
        self.calls += 1
        return self.value


def test_a_value_is_built_once_then_read_from_the_cache(cache_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "source.yaml"
    source.write_text("a: 1\n")
    build = Builder({"a": [1, 2]})
    assert cached("thing", build, files=[source]) == {"a": [1, 2]}
    assert cached("thing", build, files=[source]) == {"a": [1, 2]}
    assert build.calls == 1
    assert len(list(cache_dir.glob("thing-*.pickle"))) == 1


def test_a_changed_source_rebuilds_and_old_entries_go(cache_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "source.yaml"
    for version in range(cache.KEPT_VERSIONS + 2):
        source.write_text(f"a: {version}\n")
        build = Builder(version)
        assert cached("thing", build, files=[source]) == version
        assert build.calls == 1
    # The newest entries are kept (sources used in turn), the others removed.
    assert len(list(cache_dir.glob("thing-*.pickle"))) == cache.KEPT_VERSIONS
    assert cached("thing", Builder("other"), files=[source], extra="x") == "other"  # key part


def test_a_corrupt_entry_is_rebuilt(cache_dir: Path) -> None:
    cached("thing", Builder("value"))
    (entry,) = cache_dir.glob("thing-*.pickle")
    entry.write_bytes(b"\x80\x05not a pickle")
    build = Builder("value")
    assert cached("thing", build) == "value"
    assert build.calls == 1
    assert pickle.loads(entry.read_bytes()) == "value"


def test_an_unwritable_cache_or_none_only_costs_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv(CACHE_DIR_ENV, str(blocker / "cache"))  # under a file: cannot exist
    build = Builder(3)
    assert cached("thing", build) == 3 and cached("thing", build) == 3
    assert build.calls == 2
    monkeypatch.setenv(CACHE_DIR_ENV, "off")
    assert cache.cache_dir() is None and cached("thing", build) == 3


def test_the_gazetteer_index_comes_from_the_cache(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = places.Gazetteer().lookup("Tombouctou")
    assert built is not None and list(cache_dir.glob("gazetteer-*.pickle"))

    def fail() -> None:
        raise AssertionError("the index was built again")

    monkeypatch.setattr(places, "_build_index", fail)
    assert places.Gazetteer().lookup("Tombouctou") == built


def test_cached_phrase_patterns_match_as_the_forms_docs_do(cache_dir: Path, nlp) -> None:
    forms = ["Forces armées royales", "l’armée malienne", "G5 Sahel", "Al-Qaïda"]
    text = "Les Forces Armées Royales, l'armée malienne et le G5 Sahel face à AL-QAÏDA."
    for attr in ("ORTH", "LOWER"):
        from_docs = PhraseMatcher(nlp.vocab, attr=attr)
        from_docs.add("FORM", [nlp.make_doc(form) for form in forms])
        for _ in range(2):  # built, then read from the cache
            from_cache = PhraseMatcher(nlp.vocab, attr=attr)
            from_cache.add("FORM", phrase_patterns(nlp, f"forms_{attr}", forms, attr))
            doc = nlp.make_doc(text)
            assert from_cache(doc) == from_docs(doc) != []
    assert len(list(cache_dir.glob("forms_*.pickle"))) == 2


def test_the_trigger_lexicon_comes_from_the_cache(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    TriggerLexicon.load.cache_clear()  # the process-wide one, loaded by other tests
    built = TriggerLexicon.load("fr")
    assert built.phrase_patterns and list(cache_dir.glob("triggers_fr-*.pickle"))

    def fail(cls: type, language: str) -> None:
        raise AssertionError("the lexicon was read again")

    monkeypatch.setattr(TriggerLexicon, "_read", classmethod(fail))
    TriggerLexicon.load.cache_clear()
    assert TriggerLexicon.load("fr") == built
