"""Offline geocoding of event places (veille.places)."""

from __future__ import annotations

import pickle

import pycountry
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veille.lexicon import load_yaml
from veille.model import EventLocation
from veille.places import Candidate, Gazetteer, PlaceIndex, get_gazetteer

BAMAKO = (12.60915, -7.97522)


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return get_gazetteer()


@pytest.mark.parametrize(
    ("name", "country", "geonameid"),
    [
        ("Tanger", "MAR", 2530335),  # stored as Tangier
        ("Nouakchott", "MRT", 2377450),
        ("Tombouctou", "MLI", 2449067),  # stored as Timbuktu
        ("Alger", "DZA", 2507480),  # stored as Algiers
        ("Casablanca", "MAR", 2553604),  # not the Chilean namesake
        ("Kidal", "MLI", 2455290),
        ("Ménaka", "MLI", 2453514),  # a small town, from the regional file
        ("Menaka", "MLI", 2453514),  # accents folded
        ("Tillabéri", "NER", 2438678),
        ("Tillaberi", "NER", 2438678),
        ("Témara", "MAR", 2529013),
        ("Tessalit", "MLI", 2449893),
        ("Bir Lahlou", "ESH", 13526712),
        ("Diffa", "NER", 2445704),
        ("Tindouf", "DZA", 2476301),
        ("Bamako", "MLI", 2460596),
        ("Le Caire", "EGY", 360630),
        ("Rabat", "MAR", 2538475),  # also a French word, but a capital city
        ("Salé", "MAR", 2537763),
    ],
)
def test_resolves_city(gazetteer: Gazetteer, name: str, country: str, geonameid: int) -> None:
    location = gazetteer.lookup(name)
    assert location is not None
    assert (location.country_code, location.geonameid) == (country, geonameid)
    assert location.extracted_place == name
    assert location.lat is not None and location.lon is not None


@pytest.mark.parametrize(
    ("name", "extracted", "geonameid"),
    [
        ("la ville de Smara", "Smara", 2461874),
        ("la région de Tillabéri", "Tillabéri", 2438678),
        ("à Tanger", "Tanger", 2530335),
        ("d'Alger", "Alger", 2507480),
        ("les camps de Tindouf", "Tindouf", 2476301),
        ("l'Algérie", "Algérie", 2589581),
        ("au Mali", "Mali", 2453866),
    ],
)
def test_strips_articles_and_descriptors(
    gazetteer: Gazetteer, name: str, extracted: str, geonameid: int
) -> None:
    location = gazetteer.lookup(name)
    assert location is not None
    assert (location.extracted_place, location.geonameid) == (extracted, geonameid)


def test_country_resolves_to_centroid_not_capital(gazetteer: Gazetteer) -> None:
    location = gazetteer.lookup("Mali")
    assert location == EventLocation("Mali", 2453866, 17.0, -4.0, "MLI")
    assert (location.lat, location.lon) != BAMAKO


@pytest.mark.parametrize(
    ("name", "country"),
    [
        ("Algérie", "DZA"),
        ("Maroc", "MAR"),
        ("Sahara occidental", "ESH"),
        ("Etats-Unis", "USA"),
        ("Côte d’Ivoire", "CIV"),
        ("Burkina", "BFA"),
        ("Morocco", "MAR"),  # English names are indexed too
    ],
)
def test_country_names(gazetteer: Gazetteer, name: str, country: str) -> None:
    location = gazetteer.lookup(name)
    assert location is not None and location.country_code == country
    assert location.geonameid is not None and location.lat is not None


def test_english_country_name_yields_to_french_city_name(gazetteer: Gazetteer) -> None:
    mexico = gazetteer.lookup("Mexico")
    assert mexico is not None and mexico.geonameid == 3530597  # the city, not the country
    assert gazetteer.lookup("Mexique") == EventLocation("Mexique", 3996063, 23.0, -102.0, "MEX")


@pytest.mark.parametrize(
    ("name", "country"),
    [
        ("Guerguerat", "ESH"),
        ("El Guerguerat", "ESH"),
        ("Aguel'hok", "MLI"),
        ("Inatès", "NER"),
        ("Solhan", "BFA"),  # not the Turkish namesake
        ("Ber", "MLI"),
        ("Boni", "MLI"),
        ("Léré", "MLI"),
        ("Mahbès", "ESH"),
    ],
)
def test_supplement_towns(gazetteer: Gazetteer, name: str, country: str) -> None:
    location = gazetteer.lookup(name)
    assert location is not None and location.country_code == country


@pytest.mark.parametrize(
    ("name", "country"),
    [
        ("Sahel", None),
        ("le Sahel", None),
        ("Liptako-Gourma", None),
        ("région des trois frontières", None),
        ("Azawad", "MLI"),
        ("nord du Mali", "MLI"),
        ("Nord-Mali", "MLI"),
        ("bassin du lac Tchad", None),
    ],
)
def test_regions(gazetteer: Gazetteer, name: str, country: str | None) -> None:
    location = gazetteer.lookup(name)
    assert location is not None
    assert location.country_code == country
    assert location.geonameid is None
    assert location.lat is not None and location.lon is not None


def test_region_keeps_its_own_name(gazetteer: Gazetteer) -> None:
    location = gazetteer.lookup("le nord du Mali")
    assert location is not None and location.extracted_place == "nord du Mali"
    assert location != gazetteer.lookup("Mali")


def test_direction_of_a_country_falls_back_to_the_country(gazetteer: Gazetteer) -> None:
    location = gazetteer.lookup("nord-est du Nigeria")
    assert location is not None
    assert location.extracted_place == "nord-est du Nigeria"
    assert location.country_code == "NGA"


@pytest.mark.parametrize(
    ("name", "country"),
    [
        ("Arizona", "USA"),  # not the Honduran town of that name
        ("Californie", "USA"),  # the French name
        ("Floride", "USA"),  # also a department of Uruguay: the bigger country is meant
        ("Ontario", "CAN"),  # not Ontario, California
        ("Hodh ech Chargui", "MRT"),
        ("l'Oriental", "MAR"),
        ("Souss-Massa", "MAR"),
        ("Borno", "NGA"),
        ("Alibori", "BEN"),
        ("Nord-Kivu", "COD"),
        ("Andalousie", "ESP"),
    ],
)
def test_administrative_divisions_give_their_country_without_coordinates(
    gazetteer: Gazetteer, name: str, country: str
) -> None:
    location = gazetteer.lookup(name)
    assert location is not None and location.country_code == country
    # ISO 3166-2 has no coordinates; none are invented.
    assert location.lat is None and location.lon is None and location.geonameid is None


@pytest.mark.parametrize(
    ("name", "geonameid"),
    [
        ("Gao", 2457163),  # the Malian region yields to its capital, which has coordinates
        ("Saint-Louis", 2246452),  # a Senegalese region and town, not St. Louis, Missouri
        ("Mexico", 3530597),  # a Mexican state too, but the capital is meant
        ("Lagos", 2332459),
    ],
)
def test_division_yields_to_its_namesake_town(
    gazetteer: Gazetteer, name: str, geonameid: int
) -> None:
    location = gazetteer.lookup(name)
    assert location is not None and location.geonameid == geonameid


@pytest.mark.parametrize("name", ["Centre", "Sud-Ouest", "Littoral", "Plateaux", "Est", "Lac"])
def test_generic_division_names_are_not_places(gazetteer: Gazetteer, name: str) -> None:
    assert gazetteer.lookup(name) is None


def test_division_is_chosen_by_document_country(gazetteer: Gazetteer) -> None:
    location = gazetteer.lookup("Adrar", ["MRT"])  # a Mauritanian region and an Algerian town
    assert location is not None and location.country_code == "MRT"
    location = gazetteer.lookup("Adrar")
    assert location is not None and location.country_code == "DZA"


@pytest.mark.parametrize(
    ("name", "countries", "expected"),
    [
        ("Tripoli", (), "LBY"),
        ("Tripoli", ("LBN",), "LBN"),
        ("Valence", ("FRA",), "FRA"),
        ("Valence", ("ESP",), "ESP"),
        ("Gao", (), "MLI"),
        ("Gao", ("BFA",), "BFA"),
        ("Léré", ("TCD",), "TCD"),
        ("Léré", ("MLI", "NER"), "MLI"),
        ("Paris", (), "FRA"),
        ("Paris", ("USA",), "FRA"),  # Paris, Texas is dwarfed by Paris
        ("Santiago", (), "CHL"),
    ],
)
def test_disambiguation_by_document_countries(
    gazetteer: Gazetteer, name: str, countries: tuple[str, ...], expected: str
) -> None:
    location = gazetteer.lookup(name, countries)
    assert location is not None and location.country_code == expected


@pytest.mark.parametrize(
    "name",
    ["Mer", "Bar", "Sort", "mer", "paris", "Xyzzyville", "Qwertanou", "", "   ", "ONU", "EIGS"],
)
def test_rejects_unknown_names_common_words_and_acronyms(gazetteer: Gazetteer, name: str) -> None:
    assert gazetteer.lookup(name) is None
    assert not gazetteer.is_place(name)


def test_lowercase_names_need_a_big_city(gazetteer: Gazetteer) -> None:
    assert gazetteer.lookup("casablanca") is not None  # millions of inhabitants
    assert gazetteer.lookup("tillia") is None  # the town is small, the input uncapitalised
    assert gazetteer.lookup("Tillia") is not None


def test_is_place(gazetteer: Gazetteer) -> None:
    assert gazetteer.is_place("Tombouctou")
    assert gazetteer.is_place("Niger")
    assert not gazetteer.is_place("Bar")


def test_process_wide_instance_is_cached() -> None:
    assert get_gazetteer() is get_gazetteer()


def test_location_serialises(gazetteer: Gazetteer) -> None:
    location = gazetteer.lookup("Tanger")
    assert location is not None
    assert location.to_json() == {
        "extracted_place": "Tanger",
        "geonameid": 2530335,
        "lat": 35.76727,
        "lon": -5.79975,
        "country_code": "MAR",
    }


def test_supplement_entries_are_well_formed() -> None:
    supplement = load_yaml("places_supplement.yaml")
    for place in supplement["places"]:
        assert -90 <= place["lat"] <= 90 and -180 <= place["lon"] <= 180, place
        country = place.get("country")
        assert country is None or pycountry.countries.get(alpha_3=country), place
        assert place.get("geonameid") is not None or place.get("approximate"), place
    for code in supplement["country_aliases"].values():
        assert pycountry.countries.get(alpha_3=code), code
    words = supplement["common_words"]
    assert all(isinstance(word, str) and word == word.lower() for word in words)
    assert {"mer", "bar", "sort"} <= set(words)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_lookup_never_raises(text: str) -> None:
    location = get_gazetteer().lookup(text, ("MLI",))
    assert location is None or isinstance(location, EventLocation)


def test_span_over_a_line_break_keeps_the_first_line(gazetteer: Gazetteer) -> None:
    location = gazetteer.lookup("Sahara occidental\n\nAfin de renforcer")
    assert location is not None and location.extracted_place == "Sahara occidental"


def test_city_alias_points_to_the_gazetteer_entry(gazetteer: Gazetteer) -> None:
    abu_dhabi = gazetteer.lookup("Abou Dhabi")
    assert abu_dhabi is not None
    assert (abu_dhabi.geonameid, abu_dhabi.country_code) == (292968, "ARE")


def test_the_compact_index_answers_as_the_lists_it_was_made_from() -> None:
    rabat = Candidate("Rabat", 2538475, 34.0, -6.8, "MAR", 572717, "city")
    morocco = Candidate("Maroc", 2542007, 32.0, -6.0, "MAR", 0, "country")
    lists = {"rabat": [rabat], "maroc": [morocco, rabat], "rabat sale kenitra": [rabat]}
    index = pickle.loads(pickle.dumps(PlaceIndex(lists)))  # as the cache reads it
    assert set(index) == set(lists) and len(index) == 3 and "maroc" in index
    assert [list(index.get(key)) for key in lists] == list(lists.values())
    assert index.get("casablanca") == () and index.get("casablanca", None) is None
    assert index.get("rabat")[0] is index.get("maroc")[1]  # a shared entry stays one object
    assert index.prefixes == {"rabat", "rabat sale"}
