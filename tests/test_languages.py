"""The language layout: one folder per language under veille/lang, the same files and keys in
each, documents split by language, languages not coded stored and counted, no import cycle."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

from veille.clean import Cleaner
from veille.coding import by_language, installed_languages
from veille.lang import (
    DEFAULT_LANGUAGE,
    LANGUAGE_FILES,
    LanguageNotCoded,
    coded_languages,
    language_folder,
    language_name,
    language_yaml,
)
from veille.lexicons import Grammar, Modality, TriggerLexicon
from veille.model import Document, DocumentResult
from veille.store import Store

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "veille"
FRENCH = "Les forces armées maliennes ont arrêté trois suspects mardi près de Gao."
SPANISH = "La Guardia Civil detuvo el martes en Ceuta a dos presuntos yihadistas del grupo."
ARABIC = "أعلنت وزارة الداخلية المغربية عن تفكيك خلية إرهابية في مدينة طنجة يوم الثلاثاء."


def test_french_spanish_and_english_have_folders() -> None:
    assert {"fr", "es", "en"} <= set(coded_languages())
    assert DEFAULT_LANGUAGE in installed_languages()


@pytest.mark.parametrize("language", coded_languages())
def test_every_folder_holds_every_file(language: str) -> None:
    folder = language_folder(language)
    missing = [name for name in LANGUAGE_FILES if not folder.joinpath(name).is_file()]
    assert not missing, f"veille/lang/{language} lacks {missing}"


@pytest.mark.parametrize("language", [c for c in coded_languages() if c != DEFAULT_LANGUAGE])
@pytest.mark.parametrize("name", [n for n in LANGUAGE_FILES if n != "pipeline.yaml"])
def test_same_top_level_keys_as_french(language: str, name: str) -> None:
    """The code reads the same keys in every language: a missing key is a missing feature."""
    french, other = language_yaml("fr", name), language_yaml(language, name)
    if isinstance(french, dict):
        assert sorted(set(french) - set(other)) == [], f"{language}/{name} lacks keys"
    else:
        assert isinstance(other, type(french))


@pytest.mark.parametrize("language", coded_languages())
def test_lexicons_load_and_cover_every_type(language: str) -> None:
    lexicon = TriggerLexicon.load(language)
    types = {
        t.event
        for table in (lexicon.verbs, lexicon.nouns, lexicon.phrases)
        for triggers in table.values()
        for t in triggers
    }
    assert len(types) == 16, sorted(types)
    assert Modality.load(language).negation
    assert Grammar.load(language).place_cases


def test_unknown_language_is_refused_clearly() -> None:
    with pytest.raises(LanguageNotCoded, match="does not code language 'xx'"):
        language_folder("xx")


def test_language_names_come_from_cldr() -> None:
    assert language_name("ar") == "Arabic"
    assert language_name("es") == "Spanish"


def _document(text: str) -> Document:
    return Document(Document.content_id(text), "<test>", text, "txt")


def test_paragraphs_of_languages_not_coded_are_dropped_with_their_reason() -> None:
    clean = Cleaner(coded=("fr",)).clean(_document(f"{FRENCH}\n{SPANISH}"))
    assert [(p.language, p.kept, p.reason) for p in clean.paragraphs] == [
        ("fr", True, None),
        ("es", False, "language:es"),
    ]


def test_a_mixed_document_is_coded_one_language_at_a_time() -> None:
    clean = Cleaner(coded=("fr", "es")).clean(_document(f"{FRENCH}\n{SPANISH}"))
    parts = by_language(clean)
    assert [language for language, _ in parts] == ["fr", "es"]
    for language, part in parts:
        assert {p.language for p in part.kept} == {language}
        assert part.document is clean.document  # offsets stay those of the whole text


def test_documents_in_a_language_not_coded_are_stored_and_counted(tmp_path: Path) -> None:
    cleaner = Cleaner(coded=("fr",))
    with Store(str(tmp_path / "x.duckdb")) as store:
        for text in (FRENCH, ARABIC, ARABIC + "\n" + ARABIC):
            store.add(DocumentResult(cleaner.clean(_document(text)), (), ()))
        stats = store.stats()
    assert stats["documents"] == 3
    assert stats["documents_by_language"] == {"ar": 2, "fr": 1}
    assert stats["not_coded"] == {"ar": 2}


def _imports() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        module = ".".join(("veille", *parts)).removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("veille"):
                graph[module].add(str(node.module))
            elif isinstance(node, ast.Import):
                graph[module].update(a.name for a in node.names if a.name.startswith("veille"))
    return graph


def test_no_import_cycle_between_modules() -> None:
    """Late imports inside functions count too: a cycle is a design knot, wherever it hides."""
    graph = _imports()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_a_french_page_quoting_an_english_statement_codes_both(pipeline) -> None:
    english = (
        "Moroccan police arrested three suspected members of the Islamic State in Tangier "
        "on Tuesday, the interior ministry said in a statement."
    )
    french = "Le ministre malien de la Défense a été reçu lundi à Rabat par son homologue marocain."
    if "en" not in installed_languages():
        pytest.skip("the English parser is not installed")
    text = f"{french}\n{english}"
    result = pipeline.process(_document(text))
    languages = {p.language for p in result.clean.kept}
    assert languages == {"fr", "en"}
    by_type = {e.event: e for e in result.events}
    assert {"CONSULT", "COERCE"} <= set(by_type)
    assert by_type["CONSULT"].end <= len(french) < by_type["COERCE"].start
    assert "MAR" in by_type["COERCE"].participants
