"""Schema and consistency checks for the actor lexicons in src/veille/data/.

organisations.yaml, groups.yaml and organs.yaml list named actors; people.yaml lists people;
each language's state_roles.yaml (veille/lang/<code>/) lists generic heads ("ministère de la
Défense", "soldats") that need a country.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

import pycountry
import pytest
import yaml
from spacy.lang.en.stop_words import STOP_WORDS as ENGLISH_STOP_WORDS
from spacy.lang.es.stop_words import STOP_WORDS as SPANISH_STOP_WORDS
from spacy.lang.fr.stop_words import STOP_WORDS as FRENCH_STOP_WORDS

from veille.model import NON_STATE_CODES

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "src" / "veille"
DATA_DIR = PACKAGE_DIR / "data"
#: Each language's generic heads, as paths relative to veille/data's parent ("lang/fr/...").
ROLE_FILES = tuple(
    str(path.relative_to(PACKAGE_DIR))
    for path in sorted(PACKAGE_DIR.glob("lang/*/state_roles.yaml"))
)
ACTOR_FILES = ("organisations.yaml", "groups.yaml", "organs.yaml")
STOP_WORDS = FRENCH_STOP_WORDS | ENGLISH_STOP_WORDS | SPANISH_STOP_WORDS

PLOVER_SECTORS = frozenset(
    {"GOV", "MIL", "COP", "JUD", "SPY", "LEG", "REB", "CRM", "UAF", "REL", "CVL", "MED", "EDU"}
    | {"BUS", "NGO", "OPP", "PTY", "IGO"}
)
ORGANISATION_CODES = frozenset({"IGO", "UNO", "EUR", "NGO"})
ROLES = frozenset({"body", "office", "members"})

ACTOR_KEYS = frozenset(
    {"name", "code", "sector", "aliases", "wikidata", "case_sensitive", "part_of", "shared_by"}
)
PERSON_KEYS = frozenset({"name", "aliases", "code", "sector", "office", "group"})
PERSON_OPTIONAL_KEYS = frozenset({"organisation", "wikidata", "case_sensitive"})
ROLE_KEYS = frozenset({"forms", "sector", "role"})
ROLE_OPTIONAL_KEYS = frozenset({"office_canonical", "case_sensitive"})

#: Words that would make an alias match ordinary text if matched without case.
COMMON_WORDS = frozenset(
    {"far", "fan", "raid", "mit", "sas", "pam", "bad", "gun", "fact", "plateforme", "marine"}
    | {"ado", "fis", "mia", "ant", "ans", "cos", "bis", "ras", "pas", "sis", "ali", "idf", "ufr"}
    | {"coordination", "jeunes", "famille", "presse", "justice", "pouvoir", "conseil"}
)

#: Canonical identities fixed for every lexicon and test set: name -> (code, sector).
CANON: dict[str, tuple[str, tuple[str, ...]]] = {
    "Al-Qaïda": ("IMG", ("REB",)),
    "Al-Qaïda au Maghreb islamique": ("IMG", ("REB",)),
    "Groupe de soutien à l'islam et aux musulmans": ("IMG", ("REB",)),
    "État islamique": ("IMG", ("REB",)),
    "État islamique au Grand Sahara": ("IMG", ("REB",)),
    "État islamique en Afrique de l'Ouest": ("IMG", ("REB",)),
    "Boko Haram": ("NGA", ("REB",)),
    "Mouvement national de libération de l'Azawad": ("MLI", ("REB",)),
    "Coordination des mouvements de l'Azawad": ("MLI", ("REB",)),
    "Front Polisario": ("ESH", ("REB",)),
    "Groupe Wagner": ("RUS", ("UAF",)),
    "Africa Corps": ("RUS", ("UAF",)),
    "Organisation des Nations unies": ("UNO", ()),
    "Mission multidimensionnelle intégrée des Nations unies pour la stabilisation au Mali": (
        "UNO",
        ("MIL",),
    ),
    "Conseil de sécurité des Nations unies": ("UNO", ()),
    "Union africaine": ("IGO", ()),
    "Union européenne": ("EUR", ()),
    "Communauté économique des États de l'Afrique de l'Ouest": ("IGO", ()),
    "G5 Sahel": ("IGO", ()),
    "Alliance des États du Sahel": ("IGO", ()),
    "Global Counterterrorism Forum": ("IGO", ()),
    "Organisation du traité de l'Atlantique nord": ("IGO", ()),
    "Interpol": ("IGO", ("COP",)),
    "Europol": ("EUR", ("COP",)),
    "Ligue arabe": ("IGO", ()),
    "Union du Maghreb arabe": ("IGO", ()),
}

#: Aliases the canon or the domain fixes: surface form -> expected (file, name or code).
EXPECTED_ALIASES: dict[str, tuple[str, str]] = {
    "AQMI": ("groups.yaml", "Al-Qaïda au Maghreb islamique"),
    "AQIM": ("groups.yaml", "Al-Qaïda au Maghreb islamique"),
    "JNIM": ("groups.yaml", "Groupe de soutien à l'islam et aux musulmans"),
    "GSIM": ("groups.yaml", "Groupe de soutien à l'islam et aux musulmans"),
    "Daech": ("groups.yaml", "État islamique"),
    "ISIS": ("groups.yaml", "État islamique"),
    "EI": ("groups.yaml", "État islamique"),
    "EIGS": ("groups.yaml", "État islamique au Grand Sahara"),
    "État islamique au Sahel": ("groups.yaml", "État islamique au Grand Sahara"),
    "ISWAP": ("groups.yaml", "État islamique en Afrique de l'Ouest"),
    "Polisario": ("groups.yaml", "Front Polisario"),
    "Wagner": ("groups.yaml", "Groupe Wagner"),
    "ONU": ("organisations.yaml", "Organisation des Nations unies"),
    "MINUSMA": (
        "organisations.yaml",
        "Mission multidimensionnelle intégrée des Nations unies pour la stabilisation au Mali",
    ),
    "UA": ("organisations.yaml", "Union africaine"),
    "UE": ("organisations.yaml", "Union européenne"),
    "CEDEAO": ("organisations.yaml", "Communauté économique des États de l'Afrique de l'Ouest"),
    "ECOWAS": ("organisations.yaml", "Communauté économique des États de l'Afrique de l'Ouest"),
    "AES": ("organisations.yaml", "Alliance des États du Sahel"),
    "GCTF": ("organisations.yaml", "Global Counterterrorism Forum"),
    "Forum mondial de lutte contre le terrorisme": (
        "organisations.yaml",
        "Global Counterterrorism Forum",
    ),
    "OTAN": ("organisations.yaml", "Organisation du traité de l'Atlantique nord"),
    "NATO": ("organisations.yaml", "Organisation du traité de l'Atlantique nord"),
    "UMA": ("organisations.yaml", "Union du Maghreb arabe"),
    "FAR": ("organs.yaml", "MAR"),
    "DGST": ("organs.yaml", "MAR"),
    "DGED": ("organs.yaml", "MAR"),
    "BCIJ": ("organs.yaml", "MAR"),
    "présidence du ministère public": ("organs.yaml", "MAR"),
    "ANP": ("organs.yaml", "DZA"),
    "DGSI": ("organs.yaml", "FRA"),
    "DGSE": ("organs.yaml", "FRA"),
    "PNAT": ("organs.yaml", "FRA"),
    "Barkhane": ("organs.yaml", "FRA"),
    "CNI": ("organs.yaml", "ESP"),
    "Guardia Civil": ("organs.yaml", "ESP"),
    "FAMa": ("organs.yaml", "MLI"),
    "ANSE": ("organs.yaml", "MLI"),
    "AFRICOM": ("organs.yaml", "USA"),
    "Mossad": ("organs.yaml", "ISR"),
    "Mohamed VI": ("people.yaml", "MAR"),
    "Assimi Goita": ("people.yaml", "MLI"),
    "Mohamed Ould Ghazouani": ("people.yaml", "MRT"),
    "Nasser Bourita": ("people.yaml", "MAR"),
    "Abdellatif Hammouchi": ("people.yaml", "MAR"),
    "Abdourahamane Tiani": ("people.yaml", "NER"),
    "Kaïs Saïed": ("people.yaml", "TUN"),
}


# --- loading and normalisation ----------------------------------------------------------------


@cache
def load(file_name: str) -> tuple[dict[str, Any], ...]:
    """A file of veille/data, or one under veille/ when given with its folder ("lang/fr/...")."""
    with (PACKAGE_DIR / file_name if "/" in file_name else DATA_DIR / file_name).open(
        encoding="utf-8"
    ) as handle:
        entries = yaml.safe_load(handle)
    assert isinstance(entries, list), f"{file_name} must hold a list"
    assert all(isinstance(entry, dict) for entry in entries), f"{file_name}: non-mapping entry"
    return tuple(entries)


def fold(text: str) -> str:
    """Case-, accent-, hyphen- and apostrophe-insensitive key, stricter than any matcher."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[\s\-]+", " ", bare.casefold()).strip()


def surface_forms(entry: dict[str, Any]) -> list[str]:
    """The forms a matcher looks for: the canonical name of a named actor and its aliases."""
    if "forms" in entry:
        return list(entry["forms"])
    return [entry["name"], *entry["aliases"]]


def actor_id(file_name: str, entry: dict[str, Any]) -> tuple[str, str]:
    return (file_name, entry["name"])


def named_entries() -> list[tuple[str, dict[str, Any]]]:
    return [(name, entry) for name in (*ACTOR_FILES, "people.yaml") for entry in load(name)]


def is_country_code(code: str) -> bool:
    return pycountry.countries.get(alpha_3=code) is not None


# --- schema -----------------------------------------------------------------------------------


@pytest.mark.parametrize("file_name", ACTOR_FILES)
def test_actor_entries_have_the_documented_keys_and_types(file_name: str) -> None:
    for entry in load(file_name):
        assert {"name", "code", "sector", "aliases"} <= entry.keys(), entry
        assert entry.keys() <= ACTOR_KEYS, f"unknown keys in {entry['name']}"
        assert isinstance(entry["name"], str) and entry["name"].strip() == entry["name"]
        assert isinstance(entry["sector"], list), entry["name"]
        assert isinstance(entry["aliases"], list) and entry["aliases"], entry["name"]
        assert isinstance(entry.get("case_sensitive", False), bool), entry["name"]


def test_people_have_the_documented_keys_and_types() -> None:
    for person in load("people.yaml"):
        assert person.keys() >= PERSON_KEYS, person
        assert person.keys() <= PERSON_KEYS | PERSON_OPTIONAL_KEYS, person["name"]
        assert isinstance(person["aliases"], list), person["name"]
        assert isinstance(person["office"], str) and person["office"], person["name"]
        assert person["group"] is None or isinstance(person["group"], str), person["name"]


def test_every_language_has_state_roles() -> None:
    assert "lang/fr/state_roles.yaml" in ROLE_FILES


@pytest.mark.parametrize("role_file", ROLE_FILES)
def test_state_roles_have_the_documented_keys_and_types(role_file: str) -> None:
    for entry in load(role_file):
        assert entry.keys() >= ROLE_KEYS, entry
        assert entry.keys() <= ROLE_KEYS | ROLE_OPTIONAL_KEYS, entry["forms"]
        assert entry["role"] in ROLES, entry["forms"]
        assert isinstance(entry["forms"], list) and entry["forms"], entry
        assert entry["sector"], f"a state role needs a sector: {entry['forms']}"
        assert isinstance(entry.get("office_canonical", ""), str), entry["forms"]


@pytest.mark.parametrize("file_name", (*ACTOR_FILES, "people.yaml", *ROLE_FILES))
def test_surface_forms_are_clean_strings(file_name: str) -> None:
    for entry in load(file_name):
        forms = surface_forms(entry)
        for form in forms:
            # YAML reads some bare words (yes, no, on, 1.0) as other types.
            assert isinstance(form, str), f"{form!r} in {file_name} is not a string"
            assert form == form.strip() and "  " not in form, f"stray spaces: {form!r}"
            assert "’" not in form, f"write straight apostrophes: {form!r}"
            assert "\n" not in form and "(" not in form, f"not a surface form: {form!r}"
        # Case variants are allowed (the brief lists forms "as written"); exact repeats are not.
        duplicates = {form for form in forms if forms.count(form) > 1}
        assert not duplicates, f"repeated forms in {file_name}: {sorted(duplicates)}"


@pytest.mark.parametrize("file_name", (*ACTOR_FILES, "people.yaml", *ROLE_FILES))
def test_sectors_are_plover_codes(file_name: str) -> None:
    for entry in load(file_name):
        unknown = set(entry["sector"]) - PLOVER_SECTORS
        assert not unknown, f"{unknown} in {entry.get('name', entry.get('forms'))}"
        assert len(set(entry["sector"])) == len(entry["sector"]), entry


@pytest.mark.parametrize("file_name", ACTOR_FILES)
def test_wikidata_ids_are_well_formed(file_name: str) -> None:
    for entry in load(file_name):
        if "wikidata" in entry:
            assert re.fullmatch(r"Q[1-9][0-9]*", str(entry["wikidata"])), entry["name"]


# --- codes ------------------------------------------------------------------------------------


def test_organisations_have_organisation_codes() -> None:
    for entry in load("organisations.yaml"):
        assert entry["code"] in ORGANISATION_CODES, entry["name"]


def test_groups_act_in_a_country_or_are_transnational() -> None:
    for entry in load("groups.yaml"):
        assert entry["code"] == "IMG" or is_country_code(entry["code"]), entry["name"]


def test_organs_belong_to_a_country() -> None:
    for entry in load("organs.yaml"):
        assert is_country_code(entry["code"]), entry["name"]


def test_people_codes_are_countries_or_non_state_codes() -> None:
    for person in load("people.yaml"):
        code = person["code"]
        assert is_country_code(code) or code in NON_STATE_CODES, person["name"]


def test_groups_are_armed_non_state_actors() -> None:
    for entry in load("groups.yaml"):
        assert {"REB", "UAF"} & set(entry["sector"]), entry["name"]


# --- consistency ------------------------------------------------------------------------------


def test_entries_sharing_a_name_describe_the_same_actor() -> None:
    seen: dict[str, tuple[str, dict[str, Any]]] = {}
    for file_name, entry in named_entries():
        if entry["name"] not in seen:
            seen[entry["name"]] = (file_name, entry)
            continue
        first_file, first = seen[entry["name"]]
        assert first_file == file_name, f"{entry['name']} is in {first_file} and {file_name}"
        for key in ("code", "sector", "wikidata"):
            assert first.get(key) == entry.get(key), f"{entry['name']}: {key} differs"


def test_no_alias_names_two_actors() -> None:
    owners: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for file_name, entry in named_entries():
        for form in surface_forms(entry):
            owners[fold(form)].add(actor_id(file_name, entry))
    clashes = {form: sorted(ids) for form, ids in owners.items() if len(ids) > 1}
    assert not clashes, clashes


@pytest.mark.parametrize("role_file", ROLE_FILES)
def test_no_generic_role_is_also_a_named_actor(role_file: str) -> None:
    named = {fold(form) for _, entry in named_entries() for form in surface_forms(entry)}
    for entry in load(role_file):
        shared = {form for form in entry["forms"] if fold(form) in named}
        assert not shared, f"both a state role and a named actor: {shared}"


@pytest.mark.parametrize("role_file", ROLE_FILES)
def test_no_generic_role_form_is_in_two_entries(role_file: str) -> None:
    seen: dict[str, list[str]] = {}
    for entry in load(role_file):
        keys = {form if entry.get("case_sensitive") else fold(form) for form in entry["forms"]}
        for key in keys:
            assert key not in seen, f"{key!r} is in {seen.get(key)} and {entry['forms']}"
            seen[key] = entry["forms"]


@pytest.mark.parametrize("file_name", (*ACTOR_FILES, "people.yaml"))
def test_case_insensitive_names_are_not_common_words(file_name: str) -> None:
    # Names serve every language: none may be a French, English or Spanish function word.
    risky = {fold(word) for word in STOP_WORDS | COMMON_WORDS}
    for entry in load(file_name):
        if entry.get("case_sensitive"):
            continue
        for form in surface_forms(entry):
            assert len(fold(form)) > 2, f"{form!r} is too short to match without case"
            assert fold(form) not in risky, f"{form!r} needs case_sensitive: true"


@pytest.mark.parametrize("role_file", ROLE_FILES)
def test_generic_roles_are_not_stop_words(role_file: str) -> None:
    # Roles are matched in their language's texts only: its stop words, and English ones.
    language = role_file.split("/")[1]
    own = {"fr": FRENCH_STOP_WORDS, "es": SPANISH_STOP_WORDS}.get(language, set())
    stop_words = {fold(word) for word in own | ENGLISH_STOP_WORDS}
    for entry in load(role_file):
        for form in entry["forms"]:
            assert fold(form) not in stop_words, f"{form!r} is a stop word"


def test_canonical_names_are_present_with_their_codes_and_sectors() -> None:
    by_name = {entry["name"]: entry for _, entry in named_entries()}
    for name, (code, sector) in CANON.items():
        assert name in by_name, f"missing canonical actor {name!r}"
        assert by_name[name]["code"] == code, name
        assert tuple(by_name[name]["sector"]) == sector, name


@pytest.mark.parametrize(("form", "expected"), EXPECTED_ALIASES.items())
def test_key_surface_forms_resolve_to_the_expected_actor(
    form: str, expected: tuple[str, str]
) -> None:
    file_name, identity = expected
    matches = [
        entry
        for entry in load(file_name)
        if form in surface_forms(entry)
        or (not entry.get("case_sensitive") and fold(form) in map(fold, surface_forms(entry)))
    ]
    assert matches, f"{form!r} not found in {file_name}"
    # Organs and people are identified by their state's code, the others by their name.
    key = "code" if file_name in ("organs.yaml", "people.yaml") else "name"
    assert {entry[key] for entry in matches} == {identity}


def test_people_groups_and_organisations_exist_and_agree() -> None:
    groups = {entry["name"]: entry for entry in load("groups.yaml")}
    organisations = {entry["name"]: entry for entry in load("organisations.yaml")}
    for person in load("people.yaml"):
        if person["group"] is not None:
            group = groups.get(person["group"])
            assert group is not None, f"{person['name']}: unknown group {person['group']!r}"
            assert person["code"] == group["code"], person["name"]
            assert set(person["sector"]) & set(group["sector"]), person["name"]
        if "organisation" in person:
            organisation = organisations.get(person["organisation"])
            assert organisation is not None, f"{person['name']}: unknown organisation"
            assert person["code"] == organisation["code"], person["name"]
        elif person["group"] is None:
            assert is_country_code(person["code"]), f"{person['name']} needs a state code"


def test_case_sensitive_siblings_only_hold_forms_their_actor_lacks() -> None:
    """A case-sensitive entry repeats an actor for risky forms; it must not shadow its sibling."""
    insensitive: dict[tuple[str, str], set[str]] = defaultdict(set)
    for file_name, entry in named_entries():
        if not entry.get("case_sensitive"):
            insensitive[actor_id(file_name, entry)].update(map(fold, surface_forms(entry)))
    for file_name, entry in named_entries():
        if entry.get("case_sensitive"):
            repeated = set(map(fold, entry["aliases"])) & insensitive[actor_id(file_name, entry)]
            assert not repeated, f"{entry['name']}: {repeated} already matched without case"


def test_a_part_of_an_organisation_names_an_existing_organisation() -> None:
    entries = load("organisations.yaml")
    names = {entry["name"] for entry in entries}
    parts = [entry for entry in entries if "part_of" in entry]
    assert parts, "the lexicon has missions and bodies of organisations"
    for entry in parts:
        assert entry["part_of"] in names, entry["name"]


# --- Spanish and English names (issue 13) ------------------------------------------------------


def _lexicon(language: str = "fr"):
    """The compiled lexicon of a language, or a skip while its folder is incomplete."""
    from veille.actors import ActorLexicon

    try:
        return ActorLexicon.load(language)
    except (LookupError, FileNotFoundError) as error:  # a language folder still being written
        pytest.skip(f"no actor lexicon for {language!r} yet: {error}")


def _named(form: str, language: str = "fr") -> set[tuple[str, str]]:
    """(code, actor name) of every lexicon entry the matcher would find for ``form`` as written.

    As the matcher does: case-sensitive forms match exactly, the others in lowercase, and a
    form also matches without its accents. Names serve every language; epithets one.
    """
    from veille.actors import _strip_accents

    lexicon = _lexicon(language)
    found = set()
    for key, written, case_sensitive in lexicon.named_forms:
        variants = {written, _strip_accents(written)}
        if (case_sensitive and form in variants) or (
            not case_sensitive and form.lower() in {v.lower() for v in variants}
        ):
            found.add((lexicon.named[key].code, lexicon.named[key].name))
    return found


@cache
def _countries_rows() -> tuple[dict[str, str], ...]:
    import csv

    with (DATA_DIR / "countries.csv").open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


@pytest.mark.parametrize(
    ("form", "code", "name"),
    [
        # states by their Spanish and English names
        ("Marruecos", "MAR", "Maroc"),
        ("Malí", "MLI", "Mali"),
        ("Níger", "NER", "Niger"),
        ("EE.UU.", "USA", "États-Unis"),
        ("U.S.", "USA", "États-Unis"),
        ("Turkey", "TUR", "Turquie"),
        ("Ivory Coast", "CIV", "Côte d'Ivoire"),
        ("Arabia Saudita", "SAU", "Arabie saoudite"),
        # organs
        ("Guardia Civil", "ESP", "Guardia Civil"),
        ("Civil Guard", "ESP", "Guardia Civil"),
        ("Policía Nacional", "ESP", "Policía Nacional"),
        ("CNI", "ESP", "Centro Nacional de Inteligencia"),
        ("Audiencia Nacional", "ESP", "Audiencia Nacional"),
        ("Royal Armed Forces", "MAR", "Forces armées royales"),
        ("Fuerzas Armadas Reales", "MAR", "Forces armées royales"),
        (
            "General Directorate for Territorial Surveillance",
            "MAR",
            "Direction générale de la surveillance du territoire",
        ),
        (
            "Dirección General de Vigilancia del Territorio",
            "MAR",
            "Direction générale de la surveillance du territoire",
        ),
        (
            "Oficina Central de Investigación Judicial",
            "MAR",
            "Bureau central d'investigations judiciaires",
        ),
        ("People's National Army", "DZA", "Armée nationale populaire"),
        ("Ejército Nacional Popular", "DZA", "Armée nationale populaire"),
        ("Malian Armed Forces", "MLI", "Forces armées maliennes"),
        ("US Africa Command", "USA", "Commandement des États-Unis pour l'Afrique"),
        ("U.S. Africa Command", "USA", "Commandement des États-Unis pour l'Afrique"),
        ("US troops", "USA", "Forces armées des États-Unis"),
        ("Department of Defense", "USA", "Pentagone"),
        ("FBI", "USA", "Federal Bureau of Investigation"),
        ("DGSE", "FRA", "Direction générale de la sécurité extérieure"),
        ("Operation Barkhane", "FRA", "Opération Barkhane"),
        # armed groups
        ("Estado Islámico", "IMG", "État islamique"),
        ("Islamic State", "IMG", "État islamique"),
        ("Islamic State West Africa Province", "IMG", "État islamique en Afrique de l'Ouest"),
        ("Islamic State in the Greater Sahara", "IMG", "État islamique au Grand Sahara"),
        ("Estado Islámico del Gran Sáhara", "IMG", "État islamique au Grand Sahara"),
        ("Al Qaeda en el Magreb Islámico", "IMG", "Al-Qaïda au Maghreb islamique"),
        (
            "Group for the Support of Islam and Muslims",
            "IMG",
            "Groupe de soutien à l'islam et aux musulmans",
        ),
        (
            "Grupo de Apoyo al Islam y los Musulmanes",
            "IMG",
            "Groupe de soutien à l'islam et aux musulmans",
        ),
        ("Frente Polisario", "ESH", "Front Polisario"),
        ("Polisario Front", "ESH", "Front Polisario"),
        ("Grupo Wagner", "RUS", "Groupe Wagner"),
        (
            "Marco Estratégico Permanente",
            "MLI",
            "Cadre stratégique permanent pour la paix, la sécurité et le développement",
        ),
        # organisations
        ("Naciones Unidas", "UNO", "Organisation des Nations unies"),
        ("the UN", "UNO", "Organisation des Nations unies"),
        ("European Union", "EUR", "Union européenne"),
        ("EU", "EUR", "Union européenne"),
        ("Unión Africana", "IGO", "Union africaine"),
        (
            "Economic Community of West African States",
            "IGO",
            "Communauté économique des États de l'Afrique de l'Ouest",
        ),
        (
            "Comunidad Económica de Estados de África Occidental",
            "IGO",
            "Communauté économique des États de l'Afrique de l'Ouest",
        ),
        ("Alliance of Sahel States", "IGO", "Alliance des États du Sahel"),
        ("Alianza Atlántica", "IGO", "Organisation du traité de l'Atlantique nord"),
        # people under their Spanish and English spellings
        ("Naser Burita", "MAR", "Maroc"),
        ("Abdelmayid Tebune", "DZA", "Algérie"),
        ("Khalifa Hifter", "LBY", "Libye"),
    ],
)
def test_spanish_and_english_names_resolve_to_their_actor(form: str, code: str, name: str) -> None:
    assert _named(form) == {(code, name)}


@pytest.mark.parametrize(
    ("language", "form", "code"),
    [("es", "reino alauí", "MAR"), ("es", "país galo", "FRA"), ("en", "Jewish state", "ISR")],
)
def test_spanish_and_english_epithets(language: str, form: str, code: str) -> None:
    assert {found for found, _ in _named(form, language)} == {code}
    assert not _named(form, "fr")


@pytest.mark.parametrize(
    "form",
    # risky short forms stay out, or only in a phrase French never writes
    ["UN", "AU", "IS", "un", "is", "us", "America", "Congolese", "Polish"],
)
def test_risky_spanish_and_english_forms_are_not_names(form: str) -> None:
    assert not _named(form)


@pytest.mark.parametrize(
    ("language", "form", "code"),
    [
        ("es", "marroquí", "MAR"),
        ("es", "marroquíes", "MAR"),
        ("es", "argelinas", "DZA"),
        ("es", "maliense", "MLI"),
        ("es", "malienses", "MLI"),
        ("es", "malíes", "MLI"),
        ("es", "nigerino", "NER"),
        ("es", "nigerianas", "NGA"),
        ("es", "mauritanos", "MRT"),
        ("es", "españolas", "ESP"),
        ("es", "franceses", "FRA"),
        ("es", "francesa", "FRA"),
        ("es", "estadounidenses", "USA"),
        ("es", "saharauis", "ESH"),
        ("es", "burkineses", "BFA"),
        ("en", "Moroccan", "MAR"),
        ("en", "Algerians", "DZA"),
        ("en", "Nigerien", "NER"),
        ("en", "Nigerian", "NGA"),
        ("en", "Burkinabe", "BFA"),
        ("en", "Chadian", "TCD"),
        ("en", "Spaniards", "ESP"),
        ("en", "French", "FRA"),
        ("en", "Frenchmen", "FRA"),
        ("en", "Americans", "USA"),
        ("en", "Turkish", "TUR"),
        ("en", "Russians", "RUS"),
        ("en", "Germans", "DEU"),
    ],
)
def test_spanish_and_english_demonyms(language: str, form: str, code: str) -> None:
    from veille.lexicon import fold

    rows = [r for r in _countries_rows() if r["kind"] == "demonym" and r["form"] == form.lower()]
    assert {(row["code"], row["lang"]) for row in rows} == {(code, language)}
    assert _lexicon(language).demonyms.get(fold(form)) == code


@pytest.mark.parametrize(
    ("language", "adjective", "codes"),
    [
        ("es", "argelino-marroquí", ["DZA", "MAR"]),
        ("es", "estadounidense-marroquíes", ["USA", "MAR"]),
        ("en", "US-Moroccan", ["USA", "MAR"]),
        ("en", "Russian-Algerian", ["RUS", "DZA"]),
        ("en", "Moroccan-Spanish", ["MAR", "ESP"]),
    ],
)
def test_spanish_and_english_compound_adjectives(
    language: str, adjective: str, codes: list[str]
) -> None:
    from veille.lexicon import fold

    lexicon = _lexicon(language)
    *heads, tail = fold(adjective).split("-")
    assert [lexicon.compound_prefixes.get(h) for h in heads] + [lexicon.demonyms.get(tail)] == codes


def test_spanish_and_english_demonyms_are_unambiguous_and_not_stop_words() -> None:
    from veille.lexicon import fold

    stop_words = {fold(w) for w in STOP_WORDS}
    codes: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in _countries_rows():
        if row["kind"] == "demonym" and row["lang"] in ("es", "en"):
            assert fold(row["form"]) not in stop_words, row
            codes[(row["lang"], fold(row["form"]))].add(row["code"])
    assert len(codes) > 500
    assert not {form: c for form, c in codes.items() if len(c) > 1}
