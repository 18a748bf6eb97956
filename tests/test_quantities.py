"""Counted quantities of French news (veille.quantities)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veille.quantities import find_quantities, parse_count, parse_number_words, size_of


def counts(text: str) -> list[tuple[str, str, int]]:
    """(expression, key, value) of every quantity of ``text``, in order."""
    return [(text[m.start : m.end], m.key, m.value) for m in find_quantities(text)]


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ("un", 1),
        ("onze", 11),
        ("dix-sept", 17),
        ("vingt et un", 21),
        ("vingt-et-un", 21),
        ("trente-deux", 32),
        ("soixante-dix", 70),
        ("soixante et onze", 71),
        ("quatre-vingts", 80),
        ("quatre-vingt-onze", 91),
        ("quatre-vingt-dix-sept", 97),
        ("cent", 100),
        ("cinq cents", 500),
        ("trois cent vingt-deux", 322),
        ("mille", 1000),
        ("deux mille", 2000),
        ("mille deux cents", 1200),
        ("deux cent mille", 200_000),
        ("neuf cent quatre-vingt-dix-neuf mille neuf cent quatre-vingt-dix-neuf", 999_999),
        ("deux millions trois cent mille", 2_300_000),
    ],
)
def test_number_words(words: str, value: int) -> None:
    assert parse_number_words(words) == value


@pytest.mark.parametrize(
    "words", ["deux trois", "vingt trente", "cent cent", "trois et un", "soldat"]
)
def test_malformed_number_words(words: str) -> None:
    assert parse_number_words(words) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1 200", 1200),
        ("1\u00a0200", 1200),
        ("1\u202f200", 1200),
        ("1.200", 1200),
        ("3 000 000", 3_000_000),
        ("2 millions", 2_000_000),
        ("1,5 million", 1_500_000),
        ("1,5", None),
    ],
)
def test_digit_counts(text: str, value: int | None) -> None:
    assert parse_count(text) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("200 soldats ont quitté le Mali.", [("200 soldats", "persons", 200)]),
        ("Il a formé cinq cents imams maliens.", [("cinq cents imams", "persons", 500)]),
        ("Les 322 détenus ont été transférés.", [("322 détenus", "persons", 322)]),
        (
            "L'explosion a fait un mort et trois blessés.",
            [("un mort", "killed", 1), ("trois blessés", "injured", 3)],
        ),
        ("Neuf membres de la cellule.", [("Neuf membres", "persons", 9)]),
        (
            "Une trentaine de terroristes ont attaqué.",
            [("Une trentaine de terroristes", "persons", 30)],
        ),
        ("Plus de 1 200 militaires sont déployés.", [("1 200 militaires", "persons", 1200)]),
        (
            "Plus de 1\u00a0200 militaires sont déployés.",
            [("1\u00a0200 militaires", "persons", 1200)],
        ),
        ("Plus de 1.200 militaires sont déployés.", [("1.200 militaires", "persons", 1200)]),
        ("Deux mille hommes ont été mobilisés.", [("Deux mille hommes", "persons", 2000)]),
        (
            "Quatre-vingt-dix-sept migrants secourus.",
            [("Quatre-vingt-dix-sept migrants", "persons", 97)],
        ),
        ("Vingt et un policiers ont prêté serment.", [("Vingt et un policiers", "persons", 21)]),
        ("3 000 soldats sont arrivés.", [("3 000 soldats", "persons", 3000)]),
        ("Un millier d'hommes ont été déployés.", [("Un millier d'hommes", "persons", 1000)]),
        ("Deux centaines de migrants.", [("Deux centaines de migrants", "persons", 200)]),
        (
            "Deux millions de personnes déplacées.",
            [("Deux millions de personnes", "persons", 2_000_000)],
        ),
        ("Trois jeunes soldats ont été promus.", [("Trois jeunes soldats", "persons", 3)]),
        ("Cinq autres djihadistes.", [("Cinq autres djihadistes", "persons", 5)]),
        ("Quatre élèves-officiers maliens.", [("Quatre élèves-officiers", "persons", 4)]),
        ("12 000 casques bleus.", [("12 000 casques bleus", "persons", 12000)]),
        # casualties
        ("Deux soldats tués dans une embuscade.", [("Deux soldats tués", "killed", 2)]),
        ("Deux soldats maliens ont été tués.", [("Deux soldats", "killed", 2)]),
        ("Trois civils ont été blessés.", [("Trois civils", "injured", 3)]),
        ("Cinq personnes sont décédées.", [("Cinq personnes", "killed", 5)]),
        ("Quatre combattants ont péri.", [("Quatre combattants", "killed", 4)]),
        ("Sept suspects arrêtés à Tanger.", [("Sept suspects arrêtés", "arrested", 7)]),
        ("Trois hommes ont été interpellés.", [("Trois hommes", "arrested", 3)]),
        ("Un soldat a été tué.", [("Un soldat", "killed", 1)]),
        ("Deux otages libérés.", [("Deux otages", "kidnapped", 2)]),
        ("Six touristes ont été enlevés.", [("Six touristes", "kidnapped", 6)]),
        ("L'armée a neutralisé puis tué cinq terroristes.", [("cinq terroristes", "killed", 5)]),
        ("La police a interpellé quatre individus.", [("quatre individus", "arrested", 4)]),
        (
            "L'attaque a tué 3 gendarmes et 5 civils.",
            [("3 gendarmes", "killed", 3), ("5 civils", "killed", 5)],
        ),
        ("Au moins 30 ont péri dans l'attaque.", [("30 ont péri", "killed", 30)]),
        ("Cinq arrestations ont eu lieu.", [("Cinq arrestations", "arrested", 5)]),
        # equipment
        (
            "Deux véhicules et 40 kalachnikovs saisis.",
            [("Deux véhicules", "vehicles", 2), ("40 kalachnikovs", "weapons", 40)],
        ),
    ],
)
def test_counted_nouns(text: str, expected: list[tuple[str, str, int]]) -> None:
    assert counts(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "En application de la résolution 2703 du Conseil.",
        "Le 20 juillet 2014, à Bamako.",
        "En 2012, le Nord-Mali a été occupé.",
        "En 2000 soldats ont été recrutés.",  # "en 2000": a year, not a count
        "Le taux atteint 20 % des soldats.",
        "Un budget de 200 millions de dollars.",
        "Un homme de 35 ans a été vu.",  # an age; "un homme" is an article
        "Le 2e régiment et le 1er bataillon.",
        "Un soldat malien et une délégation.",
        "Une arrestation massive a eu lieu.",
        "Des centaines de migrants et plusieurs dizaines de soldats.",
        "Les deux pays coopèrent.",
        "La loi 03-03 relative au terrorisme.",
        "L'article 12 membres du bureau.",
        "Depuis janvier 2015 ont été arrêtés des suspects.",
        "Le G5 Sahel réunit cinq pays.",
        "1,5 soldat en moyenne.",
    ],
)
def test_not_quantities(text: str) -> None:
    assert find_quantities(text) == []


def test_active_verb_after_the_count_is_not_an_outcome() -> None:
    # the soldiers made the arrests: they are not arrested, the three suspects are.
    assert counts("200 soldats ont arrêté trois suspects.") == [
        ("200 soldats", "persons", 200),
        ("trois suspects", "arrested", 3),
    ]


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("200 soldats ont quitté le Mali.", {"persons": 200}),
        ("Un mort et trois blessés.", {"killed": 1, "injured": 3}),
        ("Trois soldats et deux policiers.", {"persons": 5}),
        ("32 morts, dont 5 soldats.", {"killed": 32}),
        ("200 soldats sont partis; les 200 soldats reviendront.", {"persons": 200}),
        ("Deux soldats tués et quatre blessés.", {"killed": 2, "injured": 4}),
        ("Aucun chiffre ici.", None),
    ],
)
def test_size_of_merges_by_key(text: str, size: dict[str, int] | None) -> None:
    assert size_of(text) == size


def test_offsets_slice_the_original_text() -> None:
    text = "RABAT – « 200 soldats » et une trentaine\u00a0de terroristes ; 1\u202f200 militaires."
    mentions = find_quantities(text)
    assert [text[m.start : m.end] for m in mentions] == [
        "200 soldats",
        "une trentaine\u00a0de terroristes",
        "1\u202f200 militaires",
    ]


_PIECES = [
    *"0123456789 .,-'’\u00a0\u202f%\n",
    *["un ", "une ", "deux ", "vingt ", "et ", "cent ", "mille ", "quatre-", "trentaine ", "de "],
    *["soldats ", "morts ", "blessés ", "ont été tués ", "dont ", "tuant ", "résolution ", "en "],
]


@settings(max_examples=300, deadline=None)
@given(text=st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
def test_find_quantities_never_raises_and_offsets_are_in_bounds(text: str) -> None:
    for mention in find_quantities(text):
        assert 0 <= mention.start < mention.end <= len(text)
        assert mention.value >= 0
    size_of(text)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200))
def test_find_quantities_on_any_unicode(text: str) -> None:
    for mention in find_quantities(text):
        assert 0 <= mention.start < mention.end <= len(text)
