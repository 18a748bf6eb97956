"""The country gazetteer (src/veille/data/countries.csv) and its generator.

Coverage is checked over every ISO 3166-1 country, not a sample, and the committed CSV
must be exactly what scripts/build_countries.py writes from the vendored inputs.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
from collections import defaultdict
from pathlib import Path
from types import ModuleType

import pycountry
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "veille" / "data"
GENERATOR_PATH = ROOT / "scripts" / "build_countries.py"
ISO_CODES = {country.alpha_3 for country in pycountry.countries}


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_countries", GENERATOR_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # the module's NamedTuples look themselves up there
    spec.loader.exec_module(module)
    return module


generator = load_generator()


def read_rows() -> list[dict[str, str]]:
    with (DATA / "countries.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


ROWS = read_rows()
SUPPLEMENT = yaml.safe_load((DATA / "countries_supplement.yaml").read_text(encoding="utf-8"))
WORLD = generator.read_world_csv(DATA / "world_countries_fr.csv")


def codes_of(form: str, kind: str | None = None) -> set[str]:
    return {r["code"] for r in ROWS if r["form"] == form and kind in (None, r["kind"])}


def forms_of(code: str, kind: str) -> set[str]:
    return {r["form"] for r in ROWS if r["code"] == code and r["kind"] == kind}


# --- the file as a whole -------------------------------------------------------------


def test_csv_is_exactly_what_the_generator_writes_offline() -> None:
    committed = (DATA / "countries.csv").read_text(encoding="utf-8")
    assert committed == generator.build_offline(), "run scripts/build_countries.py --offline"


def test_header_kinds_languages_and_codes_are_valid() -> None:
    with (DATA / "countries.csv").open(encoding="utf-8") as handle:
        assert handle.readline().strip() == "code,name,form,kind,lang"
    allowed_kinds = set(generator.KINDS)
    for row in ROWS:
        assert row["code"] in ISO_CODES, row
        assert row["kind"] in allowed_kinds, row
        assert row["lang"] in {"fr", "en", "es"}, row
        assert row["form"] and row["form"] == row["form"].strip(), row


def test_rows_are_sorted_and_unique() -> None:
    keys = [(r["code"], r["kind"], r["form"], r["lang"]) for r in ROWS]
    assert keys == sorted(keys)
    assert len(keys) == len(set(keys))


def test_forms_have_no_leading_article_nor_typographic_apostrophe() -> None:
    keep = set(SUPPLEMENT["keep_article"])
    articles = ("le ", "la ", "les ", "l'")
    for row in ROWS:
        form = row["form"]
        assert "’" not in form and "(" not in form, row
        if form not in keep and row["lang"] == "fr":
            assert not form.lower().startswith(articles), row


def test_lowercase_kinds_are_lowercase() -> None:
    for row in ROWS:
        if row["kind"] in {"demonym", "compound_prefix"}:
            assert row["form"] == row["form"].lower(), row


# --- names ---------------------------------------------------------------------------


def test_every_iso_country_has_one_canonical_name_and_a_french_name_row() -> None:
    names_by_code: dict[str, set[str]] = defaultdict(set)
    french_name_codes = set()
    for row in ROWS:
        names_by_code[row["code"]].add(row["name"])
        if row["kind"] == "name" and row["lang"] == "fr":
            french_name_codes.add(row["code"])
    assert set(names_by_code) == ISO_CODES
    assert all(len(names) == 1 for names in names_by_code.values())
    assert french_name_codes == ISO_CODES


def test_canonical_name_is_itself_a_form_unless_excluded() -> None:
    excluded = {(rule.get("code"), rule["form"]) for rule in SUPPLEMENT["exclude"]}
    canonical = {row["code"]: row["name"] for row in ROWS}
    for code, name in canonical.items():
        assert name in forms_of(code, "name") or (code, name) in excluded, (code, name)


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("MAR", "Maroc"),
        ("MRT", "Mauritanie"),
        ("NLD", "Pays-Bas"),
        ("USA", "États-Unis"),
        ("MLI", "Mali"),
        ("DZA", "Algérie"),
        ("ESH", "Sahara occidental"),
        ("CIV", "Côte d'Ivoire"),
        ("COD", "République démocratique du Congo"),
    ],
)
def test_canonical_names(code: str, name: str) -> None:
    assert {row["name"] for row in ROWS if row["code"] == code} == {name}


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ("Mauritanie", "MRT"),
        ("République islamique de Mauritanie", "MRT"),
        ("Mauritania", "MRT"),
        ("Royaume du Maroc", "MAR"),
        ("Marruecos", "MAR"),
        ("Morocco", "MAR"),
        ("Etats-Unis", "USA"),
        ("USA", "USA"),
        ("RDC", "COD"),
        ("Congo", "COG"),
        ("Emirats arabes unis", "ARE"),
        ("Egypte", "EGY"),
        ("Burkina", "BFA"),
        ("Côte d'Ivoire", "CIV"),
        ("La Réunion", "REU"),
    ],
)
def test_name_variants(form: str, code: str) -> None:
    assert codes_of(form, "name") == {code}


# --- demonyms ------------------------------------------------------------------------


def expected_demonyms(pair: list[str], invariable: set[str]) -> set[str]:
    """The test's own statement of the plural rule: +s, unchanged after s/x/z."""
    masculine, feminine = pair[0].lower(), pair[-1].lower()
    forms = {masculine, feminine}
    for form in (masculine, feminine):
        forms.add(form if form in invariable or form[-1] in "sxz" else form + "s")
    return forms


def test_every_world_countries_demonym_has_all_its_forms() -> None:
    overrides = SUPPLEMENT["demonym_overrides"]
    excluded = set(SUPPLEMENT["demonym_exclusions"])
    invariable = set(SUPPLEMENT["demonym_invariable"])
    checked = 0
    for record in WORLD:
        code = record["code"]
        if not record["demonym_m"] or code not in ISO_CODES or code in excluded:
            continue
        pairs = overrides.get(code) or [
            [m.strip(), f.strip()]
            for m, f in zip(
                record["demonym_m"].split(","), record["demonym_f"].split(","), strict=True
            )
        ]
        for pair in pairs:
            missing = expected_demonyms(pair, invariable) - forms_of(code, "demonym")
            assert not missing, (code, missing)
        checked += 1
    assert checked > 220


@pytest.mark.parametrize(
    ("code", "forms"),
    [
        ("MAR", {"marocain", "marocaine", "marocains", "marocaines"}),
        ("MLI", {"malien", "malienne", "maliens", "maliennes"}),
        ("BFA", {"burkinabè", "burkinabé"}),
        ("USA", {"américain", "américaines"}),
        ("GBR", {"britannique", "britanniques"}),
        ("FRA", {"français", "française", "françaises"}),
        ("GRC", {"grec", "grecque", "grecs", "grecques"}),
        ("ESH", {"sahraoui", "sahraouis"}),
        ("EGY", {"égyptiens", "egyptiens"}),
    ],
)
def test_demonym_examples(code: str, forms: set[str]) -> None:
    assert forms <= forms_of(code, "demonym")


def test_burkinabe_is_invariable() -> None:
    assert "burkinabès" not in forms_of("BFA", "demonym")
    assert codes_of("burkinabè", "demonym") == {"BFA"}


def test_excluded_demonyms_are_absent() -> None:
    for code in SUPPLEMENT["demonym_exclusions"]:
        assert not forms_of(code, "demonym"), code
    assert not codes_of("congolais")


# --- ambiguity -----------------------------------------------------------------------


def test_no_form_names_two_countries_except_shared_epithets() -> None:
    codes_by_form: dict[str, set[str]] = defaultdict(set)
    for row in ROWS:
        if row["kind"] != "epithet_context":
            codes_by_form[row["form"]].add(row["code"])
    shared = {form: codes for form, codes in codes_by_form.items() if len(codes) > 1}
    assert not shared


def test_shared_epithets_name_several_kingdoms() -> None:
    assert {"MAR", "ESP", "GBR", "BEL", "NLD", "SAU", "JOR"} <= codes_of(
        "Royaume", "epithet_context"
    )
    assert codes_of("Sultanat", "epithet_context") >= {"OMN"}
    for form in SUPPLEMENT["epithet_context"]:
        assert len(codes_of(form, "epithet_context")) > 1, form
    assert not codes_of("République")


def test_exclusions_are_honoured() -> None:
    for rule in SUPPLEMENT["exclude"]:
        for row in ROWS:
            if row["form"] != rule["form"]:
                continue
            assert (
                rule.get("code", row["code"]) != row["code"]
                or rule.get("kind", row["kind"]) != row["kind"]
            ), (rule, row)
    for word in ("Grenade", "Maurice", "Dominique", "Réunion", "Saint-Denis", "Hollande"):
        assert not codes_of(word), word


def test_known_ambiguities_are_still_in_the_gazetteer() -> None:
    for entry in SUPPLEMENT["known_ambiguities"]:
        assert codes_of(entry["form"]) == {entry["code"]}, entry


# --- compound adjectives -------------------------------------------------------------


def decompose(adjective: str) -> list[str] | None:
    """Codes of "maroco-mauritanien": every head part a prefix, the tail a demonym."""
    parts = adjective.lower().split("-")
    for split in range(len(parts) - 1, 0, -1):
        heads, tail = parts[:split], "-".join(parts[split:])
        head_codes = [codes_of(head, "compound_prefix") for head in heads]
        tail_codes = codes_of(tail, "demonym")
        if all(len(codes) == 1 for codes in head_codes) and len(tail_codes) == 1:
            return [next(iter(codes)) for codes in [*head_codes, tail_codes]]
    return None


@pytest.mark.parametrize(
    ("adjective", "codes"),
    [
        ("maroco-mauritanien", ["MAR", "MRT"]),
        ("franco-malien", ["FRA", "MLI"]),
        ("hispano-marocain", ["ESP", "MAR"]),
        ("algéro-malien", ["DZA", "MLI"]),
        ("maroco-mauritaniennes", ["MAR", "MRT"]),
        ("israélo-palestinien", ["ISR", "PSE"]),
        ("franco-sud-africain", ["FRA", "ZAF"]),
        ("russo-ukrainienne", ["RUS", "UKR"]),
        ("nigéro-burkinabè", ["NER", "BFA"]),
        ("sino-américain", ["CHN", "USA"]),
    ],
)
def test_compound_adjectives_decompose(adjective: str, codes: list[str]) -> None:
    assert decompose(adjective) == codes


@pytest.mark.parametrize("adjective", ["anglo-saxon", "indo-pacifique", "euro-méditerranéen"])
def test_compounds_without_two_states_do_not_decompose(adjective: str) -> None:
    assert decompose(adjective) is None


# --- capitals, seats, epithets -------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ("Rabat", "MAR"),
        ("Bamako", "MLI"),
        ("Nouakchott", "MRT"),
        ("Alger", "DZA"),
        ("Tunis", "TUN"),
        ("Niamey", "NER"),
        ("Ouagadougou", "BFA"),
        ("N'Djamena", "TCD"),
        ("Londres", "GBR"),
        ("Moscou", "RUS"),
        ("Pékin", "CHN"),
        ("Washington", "USA"),
        ("Caire", "EGY"),
        ("La Haye", "NLD"),
        ("Madrid", "ESP"),
        ("Dakar", "SEN"),
    ],
)
def test_capitals(form: str, code: str) -> None:
    assert codes_of(form, "capital") == {code}


def test_every_country_with_a_capital_in_the_sources_has_a_capital_row() -> None:
    excluded = {(r.get("code"), r["form"]) for r in SUPPLEMENT["exclude"]}
    for record in WORLD:
        code = record["code"]
        if code not in ISO_CODES or not record["capitals"]:
            continue
        capitals = set(record["capitals"].split("|"))
        if all((code, capital) in excluded for capital in capitals):
            continue
        assert forms_of(code, "capital"), code


@pytest.mark.parametrize(
    ("form", "kind", "code"),
    [
        ("Élysée", "seat", "FRA"),
        ("Elysée", "seat", "FRA"),
        ("Quai d'Orsay", "seat", "FRA"),
        ("Maison-Blanche", "seat", "USA"),
        ("Maison Blanche", "seat", "USA"),
        ("Kremlin", "seat", "RUS"),
        ("Moncloa", "seat", "ESP"),
        ("Downing Street", "seat", "GBR"),
        ("Koulouba", "seat", "MLI"),
        ("El Mouradia", "seat", "DZA"),
        ("Royaume chérifien", "epithet", "MAR"),
        ("Hexagone", "epithet", "FRA"),
        ("Empire du Milieu", "epithet", "CHN"),
        ("pays du Cèdre", "epithet", "LBN"),
        ("Oncle Sam", "epithet", "USA"),
        ("pays des hommes intègres", "epithet", "BFA"),
        ("État hébreu", "epithet", "ISR"),
    ],
)
def test_seats_and_epithets(form: str, kind: str, code: str) -> None:
    assert codes_of(form, kind) == {code}


# --- generator units -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kind", "lang", "expected"),
    [
        ("Myanmar (Birmanie)", "name", "fr", "Myanmar"),
        ("Côte d’Ivoire", "name", "fr", "Côte d'Ivoire"),
        ("République de Côte d' Ivoire", "name", "fr", "République de Côte d'Ivoire"),
        ("Antigua -et-Barbuda", "name", "fr", "Antigua-et-Barbuda"),
        ("Congo - Kinshasa", "name", "en", "Congo-Kinshasa"),
        ("Le Caire", "capital", "fr", "Caire"),
        ("La Haye", "capital", "fr", "La Haye"),
        ("Les îles Cook", "name", "fr", "Îles Cook"),
        ("the State of Palestine", "name", "en", "State of Palestine"),
        ("The Hague", "capital", "en", "The Hague"),
        ("La Habana", "capital", "es", "La Habana"),
        ("Korea, Republic of", "name", "en", None),
        ("Marocain", "demonym", "fr", "marocain"),
    ],
)
def test_clean_form(raw: str, kind: str, lang: str, expected: str | None) -> None:
    keep = set(SUPPLEMENT["keep_article"])
    assert generator.clean_form(raw, kind, lang, keep) == expected


def test_world_countries_json_is_reduced_to_the_vendored_columns(tmp_path: Path) -> None:
    country = {
        "cca3": "MAR",
        "capital": ["Rabat"],
        "translations": {
            "fra": {"common": "Maroc", "official": "Royaume du Maroc"},
            "spa": {"common": "Marruecos", "official": "Reino de Marruecos"},
        },
        "demonyms": {"fra": {"m": "Marocain", "f": "Marocaine"}},
    }
    path = tmp_path / "countries.json"
    path.write_text(json.dumps([country]), encoding="utf-8")
    assert generator.world_records_from_json(path) == [
        {
            "code": "MAR",
            "fra_common": "Maroc",
            "fra_official": "Royaume du Maroc",
            "spa_common": "Marruecos",
            "spa_official": "Reino de Marruecos",
            "demonym_m": "Marocain",
            "demonym_f": "Marocaine",
            "capitals": "Rabat",
        }
    ]
    assert list(generator.read_world_csv(DATA / "world_countries_fr.csv")[0]) == list(
        generator.WORLD_COLUMNS
    )


def test_supplement_only_names_iso_codes() -> None:
    codes = set(SUPPLEMENT["canonical_names"]) | set(SUPPLEMENT["demonym_exclusions"])
    codes |= set(SUPPLEMENT["demonym_overrides"]) | set(SUPPLEMENT["demonym_extra"])
    for by_code in SUPPLEMENT["extra_forms"].values():
        codes |= set(by_code)
    for listed in SUPPLEMENT["epithet_context"].values():
        codes |= set(listed)
    assert codes <= ISO_CODES
