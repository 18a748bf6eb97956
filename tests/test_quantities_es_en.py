"""Counted quantities of Spanish and English news (veille.quantities with ``language``).

The code is the same for every language: these tests exercise the knowledge of
``veille/lang/es/quantities.yaml`` and ``veille/lang/en/quantities.yaml``.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veille.lang import language_yaml
from veille.quantities import (
    NUMBER_PATTERN,
    find_quantities,
    number_pattern,
    parse_count,
    parse_number_words,
    size_of,
)

LANGUAGES = ("fr", "es", "en")


def counts(text: str, language: str) -> list[tuple[str, str, int]]:
    """(expression, key, value) of every quantity of ``text``, in order."""
    return [
        (text[m.start : m.end], m.key, m.value) for m in find_quantities(text, language=language)
    ]


# --- the language files -------------------------------------------------------------------


def test_every_language_file_has_the_same_keys() -> None:
    keys = {code: set(language_yaml(code, "quantities.yaml")) for code in LANGUAGES}
    assert keys["es"] == keys["fr"]
    assert keys["en"] == keys["fr"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_word_lists_hold_only_strings(language: str) -> None:
    """A bare `no` or `on` in YAML reads as a boolean: every word must be a string."""

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                assert isinstance(key, str | int), key
                walk(value)
        elif isinstance(node, list):
            for item in node:
                assert isinstance(item, str | int), item

    walk(language_yaml(language, "quantities.yaml"))


def test_default_language_is_french() -> None:
    assert number_pattern("fr") == NUMBER_PATTERN
    assert parse_number_words("trente-deux") == 32
    assert parse_number_words("thirty-two") is None
    assert size_of("Deux soldats tués.") == size_of("Deux soldats tués.", language="fr")


@pytest.mark.parametrize(
    ("language", "text", "number"),
    [
        ("es", "hace tres días", "tres"),
        ("es", "hace veintidós días", "veintidós"),
        ("en", "three days ago", "three"),
        ("en", "twenty-one days ago", "twenty-one"),
    ],
)
def test_number_pattern_per_language(language: str, text: str, number: str) -> None:
    match = re.search(number_pattern(language), text)
    assert match is not None and match.group(0) == number


# --- Spanish ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ("uno", 1),
        ("una", 1),
        ("once", 11),
        ("dieciséis", 16),
        ("dieciseis", 16),
        ("veintiún", 21),
        ("veintidós", 22),
        ("treinta y dos", 32),
        ("noventa y nueve", 99),
        ("cien", 100),
        ("ciento veinte", 120),
        ("doscientos", 200),
        ("quinientas cincuenta", 550),
        ("mil", 1000),
        ("dos mil", 2000),
        ("mil doscientos", 1200),
        ("cien mil", 100_000),
        ("un millón", 1_000_000),
        ("dos millones trescientos mil", 2_300_000),
        ("novecientos noventa y nueve mil novecientos noventa y nueve", 999_999),
    ],
)
def test_spanish_number_words(words: str, value: int) -> None:
    assert parse_number_words(words, language="es") == value


@pytest.mark.parametrize(
    "words",
    ["dos tres", "veinte y dos", "y dos", "doscientos trescientos", "cientos", "miles", "soldado"],
)
def test_spanish_malformed_number_words(words: str) -> None:
    assert parse_number_words(words, language="es") is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.200", 1200),
        ("1 200", 1200),
        ("3.000.000", 3_000_000),
        ("2 millones", 2_000_000),
        ("1,5 millones", 1_500_000),
        ("1,5", None),
    ],
)
def test_spanish_digit_counts(text: str, value: int | None) -> None:
    assert parse_count(text, language="es") == value


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("Doscientos soldados abandonaron Malí.", {"persons": 200}),
        ("Doce soldados murieron en una emboscada.", {"killed": 12}),
        ("Al menos 30 murieron en el ataque.", {"killed": 30}),
        ("Dos soldados muertos y tres heridos.", {"killed": 2, "injured": 3}),
        ("Tres civiles resultaron heridos en la explosión.", {"injured": 3}),
        ("La policía detuvo a cinco sospechosos en Ceuta.", {"arrested": 5}),
        ("Los yihadistas mataron a tres soldados y dos civiles.", {"killed": 5}),
        ("Una docena de terroristas atacaron el cuartel.", {"persons": 12}),
        ("Más de 1.200 militares fueron desplegados.", {"persons": 1200}),
        ("Dos millones de personas han huido.", {"persons": 2_000_000}),
        ("Treinta y dos migrantes fueron rescatados.", {"persons": 32}),
        ("Veintiún policías juraron su cargo.", {"persons": 21}),
        ("Doscientos cincuenta guardias civiles vigilan la frontera.", {"persons": 250}),
        ("El atentado dejó un muerto y cuatro heridos.", {"killed": 1, "injured": 4}),
        ("Un soldado resultó muerto.", {"killed": 1}),
        ("Cinco detenciones en Melilla.", {"arrested": 5}),
        ("Seis turistas fueron secuestrados en el Sahel.", {"kidnapped": 6}),
        ("32 muertos, entre ellos 5 soldados.", {"killed": 32}),
        ("El ataque mató a 12 e hirió a otros 30.", {"killed": 12, "injured": 30}),
        ("Tres presuntos yihadistas fueron detenidos.", {"arrested": 3}),
        ("Un centenar de migrantes llegaron a Canarias.", {"persons": 100}),
        ("Cuarenta y un soldados regresaron.", {"persons": 41}),
        ("Mil quinientos efectivos participan en el ejercicio.", {"persons": 1500}),
        ("Dos rehenes liberados por el grupo.", {"kidnapped": 2}),
        (
            "200 soldados han detenido a tres sospechosos.",
            {"persons": 200, "arrested": 3},
        ),
        ("Cerca de 40 personas fallecieron en el naufragio.", {"killed": 40}),
        ("Los terroristas secuestraron a siete trabajadores.", {"kidnapped": 7}),
        ("Dos helicópteros y 40 fusiles de asalto incautados.", {"vehicles": 2, "weapons": 40}),
        ("Tres soldados y dos policías; los tres soldados volvieron.", {"persons": 5}),
    ],
)
def test_spanish_sizes(text: str, size: dict[str, int]) -> None:
    assert size_of(text, language="es") == size


@pytest.mark.parametrize(
    "text",
    [
        "En aplicación de la resolución 2334 del Consejo de Seguridad.",
        "El 20 de julio de 2014, en Bamako.",
        "En mayo de 2025 soldados de la misión llegaron.",
        "En 2000 soldados fueron reclutados.",
        "Un presupuesto de 200 millones de euros.",
        "Uno de los soldados declaró ante el juez.",
        "Un soldado maliense y una delegación.",
        "Una detención masiva tuvo lugar.",
        "El 20 % de los soldados.",
        "Un hombre de 35 años fue visto.",
        "La ley 7/2015 y el artículo 155.",
        "El artículo 12 miembros del consejo.",
        "Los dos países cooperan.",
        "1,5 soldados de media.",
        "Decenas de muertos y centenares de heridos.",
        "Miles de personas huyeron y cientos de migrantes llegaron.",
        "El 3.º regimiento y el 2º batallón.",
    ],
)
def test_spanish_not_quantities(text: str) -> None:
    assert find_quantities(text, language="es") == []


def test_spanish_spans() -> None:
    text = "Una docena de terroristas mataron a 1.200 civiles; dos soldados muertos."
    assert counts(text, "es") == [
        ("Una docena de terroristas", "persons", 12),
        ("1.200 civiles", "killed", 1200),
        ("dos soldados muertos", "killed", 2),
    ]


# --- English ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ("one", 1),
        ("a", 1),
        ("eleven", 11),
        ("nineteen", 19),
        ("twenty-one", 21),
        ("twenty one", 21),
        ("ninety-nine", 99),
        ("a hundred", 100),
        ("one hundred", 100),
        ("two hundred and fifty", 250),
        ("two hundred fifty", 250),
        ("a thousand", 1000),
        ("a thousand and one", 1001),
        ("three thousand five hundred", 3500),
        ("one million", 1_000_000),
        ("two million three hundred thousand", 2_300_000),
        ("nine hundred ninety-nine thousand nine hundred ninety-nine", 999_999),
    ],
)
def test_english_number_words(words: str, value: int) -> None:
    assert parse_number_words(words, language="en") == value


@pytest.mark.parametrize(
    "words", ["one two", "twenty twenty", "fifty and two", "and five", "hundreds", "soldier"]
)
def test_english_malformed_number_words(words: str) -> None:
    assert parse_number_words(words, language="en") is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,200", 1200),
        ("3,000,000", 3_000_000),
        ("2 million", 2_000_000),
        ("1.5 million", 1_500_000),
        ("2 billion", 2_000_000_000),
        ("1.5", None),
    ],
)
def test_english_digit_counts(text: str, value: int | None) -> None:
    assert parse_count(text, language="en") == value


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("Two hundred soldiers left Mali.", {"persons": 200}),
        ("Twelve soldiers were killed in an ambush.", {"killed": 12}),
        ("At least 30 were killed in the attack.", {"killed": 30}),
        ("At least 30 died in the attack.", {"killed": 30}),
        ("Two soldiers killed and four wounded.", {"killed": 2, "injured": 4}),
        ("Three civilians were wounded in the blast.", {"injured": 3}),
        ("Police arrested five suspects in Lagos.", {"arrested": 5}),
        ("The militants killed three soldiers and two civilians.", {"killed": 5}),
        ("A dozen gunmen stormed the base.", {"persons": 12}),
        ("More than 1,200 troops were deployed.", {"persons": 1200}),
        ("Two million people have fled.", {"persons": 2_000_000}),
        ("Twenty-one police officers were sworn in.", {"persons": 21}),
        ("Two hundred and fifty peacekeepers patrol the border.", {"persons": 250}),
        ("The blast left one dead and four injured.", {"killed": 1, "injured": 4}),
        ("A soldier was killed.", {"killed": 1}),
        ("Five arrests were made in Kano.", {"arrested": 5}),
        ("Six tourists were kidnapped in the Sahel.", {"kidnapped": 6}),
        ("32 dead, including 5 soldiers.", {"killed": 32}),
        ("The blast killed 12 and wounded 30.", {"killed": 12, "injured": 30}),
        ("Three suspected jihadists were detained.", {"arrested": 3}),
        ("12 soldiers were killed.", {"killed": 12}),
        ("The gunmen opened fire, killing 12 soldiers.", {"killed": 12}),
        ("The attack left 5 dead.", {"killed": 5}),
        (
            "Gunmen attacked a village, killing 12 soldiers and wounding three.",
            {"killed": 12, "injured": 3},
        ),
        ("12 Nigerian soldiers were killed on Sunday.", {"killed": 12}),
        ("Two dozen fighters surrendered.", {"persons": 24}),
        ("Two gunmen killed 12 people.", {"persons": 2, "killed": 12}),
        (
            "200 soldiers have arrested three suspects.",
            {"persons": 200, "arrested": 3},
        ),
        ("Police detained 40 protesters on Monday.", {"arrested": 40}),
        ("Two drones and 40 assault rifles were seized.", {"vehicles": 2, "weapons": 40}),
        ("Three soldiers and two police officers; the three soldiers left.", {"persons": 5}),
    ],
)
def test_english_sizes(text: str, size: dict[str, int]) -> None:
    assert size_of(text, language="en") == size


@pytest.mark.parametrize(
    "text",
    [
        "Under resolution 2334 of the Security Council.",
        "On 20 July 2014, in Bamako.",
        "In May 2025 soldiers of the mission arrived.",
        "In 2000 soldiers were recruited.",
        "A budget of $200 million.",
        "One of the soldiers told the court.",
        "A Malian soldier and a delegation.",
        "An arrest was made.",
        "20% of soldiers.",
        "A 35-year-old man was seen.",
        "Article 12 members of the board.",
        "Flight 17 passengers.",
        "The two countries cooperate.",
        "1.5 soldiers on average.",
        "Dozens of people were killed and hundreds of others injured.",
        "Thousands of migrants fled; scores of people died.",
        "The 2nd battalion and the 1st brigade.",
        "The G5 Sahel gathers five countries.",
        "He was killed 3 days ago.",
    ],
)
def test_english_not_quantities(text: str) -> None:
    assert find_quantities(text, language="en") == []


def test_english_spans() -> None:
    text = "A dozen gunmen killed 1,200 civilians; two soldiers killed."
    assert counts(text, "en") == [
        ("A dozen gunmen", "persons", 12),
        ("1,200 civilians", "killed", 1200),
        ("two soldiers killed", "killed", 2),
    ]


# --- robustness ---------------------------------------------------------------------------

_PIECES = {
    "es": [
        *"0123456789 .,-'%\n",
        *["un ", "una ", "dos ", "veinte ", "y ", "ciento ", "mil ", "docena ", "de "],
        *["soldados ", "muertos ", "heridos ", "fueron detenidos ", "murieron ", "entre ellos "],
        *["mataron a ", "hiriendo a ", "resolución ", "en ", "millones "],
    ],
    "en": [
        *"0123456789 .,-'%\n",
        *["a ", "one ", "two ", "twenty ", "and ", "hundred ", "thousand ", "dozen ", "of "],
        *["soldiers ", "dead ", "wounded ", "were killed ", "died ", "including "],
        *["killing ", "wounding ", "resolution ", "in ", "million "],
    ],
}


@pytest.mark.parametrize("language", ["es", "en"])
@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_find_quantities_never_raises(language: str, data: st.DataObject) -> None:
    text = data.draw(st.lists(st.sampled_from(_PIECES[language]), max_size=40).map("".join))
    for mention in find_quantities(text, language=language):
        assert 0 <= mention.start < mention.end <= len(text)
        assert mention.value >= 0
    size_of(text, language=language)
