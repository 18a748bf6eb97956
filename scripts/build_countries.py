"""Build the country gazetteer src/veille/data/countries.csv.

Regenerate (from the repository root):

    .venv/bin/python scripts/build_countries.py --offline
        rebuild countries.csv from the vendored world_countries_fr.csv (no network);
    .venv/bin/python scripts/build_countries.py
        also refresh world_countries_fr.csv: `npm pack world-countries@5.1.0` into a
        temporary directory and read its countries.json;
    .venv/bin/python scripts/build_countries.py --world-countries PATH/countries.json
        the same from a countries.json already on disk;
    .venv/bin/python scripts/build_countries.py --check
        exit 1 when countries.csv differs from what --offline would write.

Sources, merged and deduplicated: pycountry (ISO 3166-1 list, English names), Babel's
CLDR data (fr/en/es territory names; fr/en/es names of the cities that anchor a time
zone, used for capitals), the npm package world-countries (French and Spanish names,
French demonyms, capitals) and the hand-curated countries_supplement.yaml (which also holds
the Spanish and English demonyms: the vendored extract keeps only the French ones).
Output columns: code,name,form,kind,lang, sorted by code, kind, form, lang.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import babel
import pycountry
import yaml
from babel.core import get_global

DATA_DIR = Path(__file__).resolve().parents[1] / "src" / "veille" / "data"
COUNTRIES_CSV = DATA_DIR / "countries.csv"
WORLD_CSV = DATA_DIR / "world_countries_fr.csv"
SUPPLEMENT_YAML = DATA_DIR / "countries_supplement.yaml"
WORLD_COUNTRIES_NPM = "world-countries@5.1.0"

COLUMNS = ("code", "name", "form", "kind", "lang")
WORLD_COLUMNS = (
    "code",
    "fra_common",
    "fra_official",
    "spa_common",
    "spa_official",
    "demonym_m",
    "demonym_f",
    "capitals",
)
KINDS = ("name", "demonym", "compound_prefix", "capital", "seat", "epithet", "epithet_context")
LANG_PRIORITY = {"fr": 0, "en": 1, "es": 2}
# Kinds whose French forms also appear with unaccented capitals ("Etats-Unis").
PROPER_KINDS = {"name", "capital", "seat", "epithet", "epithet_context"}
# Kinds written lowercase; an initial accent is dropped when text is capitalised
# without accents ("les Egyptiens" lowercases to "egyptiens").
LOWER_KINDS = {"demonym", "compound_prefix"}
# "The Hague" keeps its article; lowercase "the" only comes from catalogue names.
ARTICLES = {"fr": ("Le ", "La ", "Les ", "L'", "le ", "la ", "les ", "l'"), "en": ("the ",)}
UNACCENT_UPPER = str.maketrans("ÀÂÄÇÉÈÊËÎÏÔÖÙÛÜ", "AAACEEEEIIOOUUU")
UNACCENT_LOWER = str.maketrans("àâäçéèêëîïôöùûü", "aaaceeeeiioouuu")


class Row(NamedTuple):
    code: str
    name: str
    form: str
    kind: str
    lang: str


class Candidate(NamedTuple):
    code: str
    kind: str
    lang: str
    form: str


# --- reading the inputs --------------------------------------------------------------


def world_records_from_json(path: Path) -> list[dict[str, str]]:
    """Keep from world-countries' countries.json only the fields the gazetteer uses."""
    countries = json.loads(path.read_text(encoding="utf-8"))
    records = []
    for country in countries:
        translations = country.get("translations", {})
        demonym = country.get("demonyms", {}).get("fra", {})
        records.append(
            {
                "code": country["cca3"],
                "fra_common": translations.get("fra", {}).get("common", ""),
                "fra_official": translations.get("fra", {}).get("official", ""),
                "spa_common": translations.get("spa", {}).get("common", ""),
                "spa_official": translations.get("spa", {}).get("official", ""),
                "demonym_m": demonym.get("m", ""),
                "demonym_f": demonym.get("f", ""),
                "capitals": "|".join(country.get("capital", [])),
            }
        )
    return sorted(records, key=lambda record: record["code"])


def npm_pack_world_countries(workdir: Path) -> Path:
    """Fetch the pinned world-countries tarball with npm and return its countries.json."""
    subprocess.run(["npm", "pack", WORLD_COUNTRIES_NPM], cwd=workdir, check=True)
    tarball = next(workdir.glob("world-countries-*.tgz"))
    with tarfile.open(tarball) as archive:
        archive.extractall(workdir, filter="data")
    return workdir / "package" / "countries.json"


def render_csv(header: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def read_world_csv(path: Path = WORLD_CSV) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_supplement(path: Path = SUPPLEMENT_YAML) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# --- normalising forms ---------------------------------------------------------------


def normalise_text(text: str) -> str:
    """Fold typographic apostrophes and spaces, and repair spacing typos of the sources."""
    text = text.replace("’", "'").replace("\u00a0", " ").replace("\u202f", " ")
    text = re.sub(r"\s*\([^)]*\)", "", text)  # "Myanmar (Birmanie)": qualifiers never appear
    text = re.sub(r"\s+-\s*", "-", text)  # "Antigua -et-Barbuda", "Congo - Kinshasa"
    text = re.sub(r"\b([dlDL]') +", r"\1", text)  # "Côte d' Ivoire"
    return re.sub(r"\s+", " ", text).strip()


def strip_article(form: str, lang: str, keep_article: set[str]) -> str:
    if form in keep_article:
        return form
    for article in ARTICLES.get(lang, ()):
        if form.startswith(article) and len(form) > len(article):
            return form[len(article) :]
    return form


def clean_form(form: str, kind: str, lang: str, keep_article: set[str]) -> str | None:
    """The surface form as the matcher sees it, or None when the source form is unusable."""
    form = normalise_text(form)
    if not form or "," in form:  # "Korea, Republic of": inverted catalogue names
        return None
    form = strip_article(form, lang, keep_article)
    if kind in LOWER_KINDS:
        return form.lower()
    if kind == "name":
        form = form[0].upper() + form[1:]
    return form


def accent_variants(form: str, kind: str, lang: str) -> set[str]:
    """The form plus the spelling the press uses when it drops accents on capitals."""
    if lang != "fr":
        return {form}
    if kind in PROPER_KINDS:
        return {form, form.translate(UNACCENT_UPPER)}
    return {form, form[:1].translate(UNACCENT_LOWER) + form[1:]}


# --- demonyms ------------------------------------------------------------------------


UNACCENT_ES = str.maketrans("áéíóú", "aeiou")


def plural(form: str, invariable: set[str], lang: str = "fr") -> str:
    """The plural of a lowercase demonym by the rule of its language."""
    if form in invariable:
        return form
    if lang == "es":
        return spanish_plural(form)
    if lang == "en":
        return english_plural(form)
    return form if form.endswith(("s", "x", "z")) else form + "s"


def spanish_plural(form: str) -> str:
    """marroquí -> marroquíes, francés -> franceses, español -> españoles, belga -> belgas."""
    if form[-1] in "íú":
        return form + "es"
    if form[-1] in "aeioáéó":
        return form + "s"
    # A consonant: -es, and the written accent of the last syllable goes ("alemán", "alemanes").
    match = re.search(r"[aeiouáéíóú][^aeiouáéíóú]*$", form)
    if match is None:
        return form + "es"
    start = match.start()
    return form[:start] + form[start].translate(UNACCENT_ES) + form[start + 1 :] + "es"


def english_plural(form: str) -> str:
    """moroccan -> moroccans, german -> germans, frenchman -> frenchmen; french, chinese and
    swiss do not change."""
    if form.endswith(("sh", "ch", "ese", "s")):
        return form
    if form.endswith(("hman", "woman")):  # "frenchman", not "german"
        return form[:-3] + "men"
    return form + "s"


def inflect(pair: list[str], invariable: set[str], lang: str = "fr") -> set[str]:
    """All four forms of a demonym given as [masculine, feminine] or [invariable form]."""
    masculine, feminine = pair[0].lower(), pair[-1].lower()
    return {
        masculine,
        feminine,
        plural(masculine, invariable, lang),
        plural(feminine, invariable, lang),
    }


def world_demonym_pairs(record: dict[str, str]) -> list[list[str]]:
    """[m, f] pairs; "Saint-Pierrais, Miquelonais" lists two demonyms at once."""
    masculines = [part.strip() for part in record["demonym_m"].split(",") if part.strip()]
    feminines = [part.strip() for part in record["demonym_f"].split(",") if part.strip()]
    if len(masculines) != len(feminines):
        return []
    return [list(pair) for pair in zip(masculines, feminines, strict=True)]


def demonym_candidates(
    world: list[dict[str, str]], supplement: dict[str, Any], codes: set[str]
) -> Iterator[Candidate]:
    overrides = supplement.get("demonym_overrides", {})
    extras = supplement.get("demonym_extra", {})
    excluded = set(supplement.get("demonym_exclusions", {}))
    invariable = set(supplement.get("demonym_invariable", []))
    for record in world:
        code = record["code"]
        if code not in codes or code in excluded:
            continue
        pairs = overrides.get(code) or world_demonym_pairs(record)
        for pair in pairs + extras.get(code, []):
            for form in inflect(pair, invariable):
                yield Candidate(code, "demonym", "fr", form)


def other_language_demonym_candidates(supplement: dict[str, Any]) -> Iterator[Candidate]:
    """Spanish and English demonyms, and the compound prefixes they make.

    Each code lists its demonyms as [masculine, feminine] or [form]; the first one's
    masculine singular also starts compounds in these languages ("hispano-marroquí" aside,
    Spanish and English join whole adjectives: "argelino-marroquí", "Moroccan-Spanish").
    """
    invariable = set(supplement.get("demonym_invariable", []))
    for lang, by_code in supplement.get("demonyms", {}).items():
        for code, pairs in by_code.items():
            for pair in pairs:
                for form in inflect(pair, invariable, lang):
                    yield Candidate(code, "demonym", lang, form)
            yield Candidate(code, "compound_prefix", lang, pairs[0][0])


# --- names and capitals from the packages --------------------------------------------


def cldr_name_candidates(alpha2_to_code: dict[str, str]) -> Iterator[Candidate]:
    for lang in LANG_PRIORITY:
        territories = babel.Locale(lang).territories
        for alpha2, code in alpha2_to_code.items():
            if alpha2 in territories:
                yield Candidate(code, "name", lang, territories[alpha2])


def pycountry_name_candidates() -> Iterator[Candidate]:
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            value = getattr(country, attribute, None)
            if value:
                yield Candidate(country.alpha_3, "name", "en", value)


def world_name_candidates(world: list[dict[str, str]], codes: set[str]) -> Iterator[Candidate]:
    fields = {"fra_common": "fr", "fra_official": "fr", "spa_common": "es", "spa_official": "es"}
    for record in world:
        if record["code"] not in codes:
            continue
        for field, lang in fields.items():
            if record[field]:
                yield Candidate(record["code"], "name", lang, record[field])


def world_capital_names(world: list[dict[str, str]]) -> dict[str, list[str]]:
    return {record["code"]: record["capitals"].split("|") for record in world if record["capitals"]}


def capital_candidates(
    world: list[dict[str, str]], alpha2_to_code: dict[str, str]
) -> Iterator[Candidate]:
    """Capitals as world-countries spells them (English), and their CLDR translations.

    CLDR names in each language the city that anchors a time zone; when that city is
    the country's capital, its French and Spanish names are the capital's.
    """
    capitals = world_capital_names(world)
    codes = set(alpha2_to_code.values())
    for code, names in capitals.items():
        if code in codes:
            for name in names:
                yield Candidate(code, "capital", "en", name)
    for zone, alpha2 in get_global("zone_territories").items():
        code = alpha2_to_code.get(alpha2)
        if code is None or zone_city(zone, "en") not in capitals.get(code, []):
            continue
        for lang in ("fr", "es"):
            city = zone_city(zone, lang)
            if city is not None:
                yield Candidate(code, "capital", lang, city)


def zone_city(zone: str, lang: str) -> str | None:
    """CLDR's exemplar city of a time zone; English falls back on the zone id, as CLDR does."""
    city = babel.Locale(lang).time_zones.get(zone, {}).get("city")
    if city is None and lang == "en":
        return zone.rsplit("/", 1)[-1].replace("_", " ")
    return city


# --- curated candidates --------------------------------------------------------------


def supplement_candidates(supplement: dict[str, Any]) -> Iterator[Candidate]:
    for kind, by_code in supplement.get("extra_forms", {}).items():
        for code, by_lang in by_code.items():
            for lang, forms in by_lang.items():
                for form in forms:
                    yield Candidate(code, kind, lang, form)
    for form, codes in supplement.get("epithet_context", {}).items():
        for code in codes:
            yield Candidate(code, "epithet_context", "fr", form)


# --- merging -------------------------------------------------------------------------


def canonical_names(alpha2_to_code: dict[str, str], supplement: dict[str, Any]) -> dict[str, str]:
    """The French short name of every code: CLDR's, unless the supplement overrides it."""
    french = babel.Locale("fr").territories
    overrides = supplement.get("canonical_names", {})
    return {
        code: overrides.get(code) or normalise_text(french[alpha2])
        for alpha2, code in alpha2_to_code.items()
    }


def is_excluded(candidate: Candidate, exclusions: list[dict[str, str]]) -> bool:
    return any(
        rule["form"] == candidate.form
        and rule.get("code", candidate.code) == candidate.code
        and rule.get("kind", candidate.kind) == candidate.kind
        for rule in exclusions
    )


def cleaned(candidates: Iterable[Candidate], supplement: dict[str, Any]) -> Iterator[Candidate]:
    keep_article = set(supplement.get("keep_article", []))
    exclusions = supplement.get("exclude", [])
    for candidate in candidates:
        form = clean_form(candidate.form, candidate.kind, candidate.lang, keep_article)
        if form is None:
            continue
        for variant in accent_variants(form, candidate.kind, candidate.lang):
            result = candidate._replace(form=variant)
            if not is_excluded(result, exclusions):
                yield result


#: Kinds read for the text's language only (veille.actors): one row per language.
LANGUAGE_BOUND_KINDS = ("demonym", "compound_prefix", "epithet", "epithet_context")


def deduplicate(candidates: Iterable[Candidate]) -> list[Candidate]:
    """One candidate per (code, kind, form), and per language for the kinds bound to one;
    French wins over English over Spanish."""
    best: dict[tuple[str, ...], Candidate] = {}
    for candidate in candidates:
        key: tuple[str, ...] = (candidate.code, candidate.kind, candidate.form)
        if candidate.kind in LANGUAGE_BOUND_KINDS:
            key = (*key, candidate.lang)
        current = best.get(key)
        if current is None or LANG_PRIORITY[candidate.lang] < LANG_PRIORITY[current.lang]:
            best[key] = candidate
    return list(best.values())


def build_rows(world: list[dict[str, str]], supplement: dict[str, Any]) -> list[Row]:
    alpha2_to_code = {country.alpha_2: country.alpha_3 for country in pycountry.countries}
    codes = set(alpha2_to_code.values())
    names = canonical_names(alpha2_to_code, supplement)
    candidates = [
        *cldr_name_candidates(alpha2_to_code),
        *pycountry_name_candidates(),
        *world_name_candidates(world, codes),
        *capital_candidates(world, alpha2_to_code),
        *demonym_candidates(world, supplement, codes),
        *other_language_demonym_candidates(supplement),
        *supplement_candidates(supplement),
    ]
    unknown = {candidate.code for candidate in candidates} - codes
    if unknown:
        raise ValueError(f"codes not in ISO 3166-1: {sorted(unknown)}")
    rows = [
        Row(c.code, names[c.code], c.form, c.kind, c.lang)
        for c in deduplicate(cleaned(candidates, supplement))
    ]
    return sorted(rows, key=lambda row: (row.code, row.kind, row.form, row.lang))


def render_countries(rows: list[Row]) -> str:
    return render_csv(COLUMNS, rows)


def build_offline() -> str:
    """countries.csv as the vendored inputs produce it (what the tests compare against)."""
    return render_countries(build_rows(read_world_csv(), load_supplement()))


# --- command line --------------------------------------------------------------------


def refresh_world_csv(countries_json: Path | None) -> None:
    if countries_json is not None:
        records = world_records_from_json(countries_json)
    else:
        with tempfile.TemporaryDirectory() as workdir:
            records = world_records_from_json(npm_pack_world_countries(Path(workdir)))
    text = render_csv(WORLD_COLUMNS, ([r[c] for c in WORLD_COLUMNS] for r in records))
    WORLD_CSV.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--world-countries", type=Path, help="path to world-countries' JSON")
    source.add_argument("--offline", action="store_true", help="use the vendored extract")
    source.add_argument("--check", action="store_true", help="fail if countries.csv is stale")
    args = parser.parse_args(argv)
    if args.check:
        if COUNTRIES_CSV.read_text(encoding="utf-8") != build_offline():
            print(f"{COUNTRIES_CSV} is stale: run {Path(__file__).name} --offline")
            return 1
        return 0
    if not args.offline:
        refresh_world_csv(args.world_countries)
    COUNTRIES_CSV.write_text(build_offline(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
