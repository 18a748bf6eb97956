"""Spanish and English date expressions (veille.dates with ``language="es"`` / ``"en"``).

The code is the one that reads French: only ``veille/lang/<code>/dates.yaml`` differs.
"""

from __future__ import annotations

import datetime
from importlib import resources

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from veille.dates import date_grammar, detect_publication_date, find_dates, resolve_date

FRIDAY = datetime.date(2025, 3, 21)  # last week: 10-16 March; two weeks before: 3-9 March


def found(text: str, published: datetime.date | None, language: str) -> list[tuple[str, str, str]]:
    """(expression, iso, precision) of every date of ``text``, in order."""
    return [
        (m.date.text, m.date.iso, m.date.precision)
        for m in find_dates(text, published, language=language)
    ]


# -- Spanish ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        # full dates
        (
            "La cumbre se celebró el 3 de marzo de 2025 en Madrid.",
            None,
            ("3 de marzo de 2025", "2025-03-03", "day"),
        ),
        (
            "Desde el 1º de enero de 2020 rige la nueva ley.",
            None,
            ("1º de enero de 2020", "2020-01-01", "day"),
        ),
        ("El pacto se firmó el 03/03/2025 en Rabat.", None, ("03/03/2025", "2025-03-03", "day")),
        (
            "El martes, 4 de marzo de 2025, se firmó el pacto.",
            None,
            ("martes, 4 de marzo de 2025", "2025-03-04", "day"),
        ),
        # months and years
        (
            "En marzo de 2025 el ejército reforzó sus posiciones.",
            None,
            ("marzo de 2025", "2025-03", "month"),
        ),
        (
            "Un informe de noviembre del 2023 lo confirma.",
            None,
            ("noviembre del 2023", "2023-11", "month"),
        ),
        ("A finales de 2024 llegaron las tropas.", None, ("2024", "2024", "year")),
        ("La fuerza conjunta se creó en 2012.", None, ("2012", "2012", "year")),
        # days without a year
        ("Los hechos ocurrieron el 3 de marzo.", FRIDAY, ("3 de marzo", "2025-03-03", "day")),
        ("Desde el 1 de enero rige la nueva ley.", FRIDAY, ("1 de enero", "2025-01-01", "day")),
        (
            "El pasado 15 de enero fue detenido en Tánger.",
            FRIDAY,
            ("pasado 15 de enero", "2025-01-15", "day"),
        ),
        (
            "Las elecciones serán el próximo 6 de abril.",
            FRIDAY,
            ("próximo 6 de abril", "2025-04-06", "day"),
        ),
        ("Se reunieron el domingo 16 en Rabat.", FRIDAY, ("domingo 16", "2025-03-16", "day")),
        # weekdays
        ("El ataque tuvo lugar el pasado martes.", FRIDAY, ("pasado martes", "2025-03-18", "day")),
        ("El ataque tuvo lugar el martes pasado.", FRIDAY, ("martes pasado", "2025-03-18", "day")),
        ("La reunión será el próximo lunes.", FRIDAY, ("próximo lunes", "2025-03-24", "day")),
        ("La reunión será el lunes que viene.", FRIDAY, ("lunes que viene", "2025-03-24", "day")),
        ("El ministro declaró el jueves que no cederá.", FRIDAY, ("jueves", "2025-03-20", "day")),
        # relative days
        ("Ayer detuvieron a dos sospechosos en Ceuta.", FRIDAY, ("Ayer", "2025-03-20", "day")),
        ("Anteayer hubo combates en la frontera.", FRIDAY, ("Anteayer", "2025-03-19", "day")),
        ("Hoy se reúnen los ministros.", FRIDAY, ("Hoy", "2025-03-21", "day")),
        ("Los ministros se reúnen mañana en Rabat.", FRIDAY, ("mañana", "2025-03-22", "day")),
        ("Esta mañana se reunieron los ministros.", FRIDAY, ("Esta mañana", "2025-03-21", "day")),
        (
            "Mañana por la mañana llegará el convoy.",
            FRIDAY,
            ("Mañana", "2025-03-22", "day"),
        ),
        # relative periods
        ("La semana pasada hubo dos ataques.", FRIDAY, ("La semana pasada", "2025-03", "month")),
        ("El mes pasado se firmó el acuerdo.", FRIDAY, ("El mes pasado", "2025-02", "month")),
        ("El año pasado se firmó el acuerdo.", FRIDAY, ("El año pasado", "2024", "year")),
        (
            "El acuerdo se firmó hace dos semanas.",
            FRIDAY,
            ("hace dos semanas", "2025-03", "month"),
        ),
        (
            "El acuerdo se firmó hace tres días.",
            FRIDAY,
            ("hace tres días", "2025-03-18", "day"),
        ),
        ("El acuerdo se firmó hace un año.", FRIDAY, ("hace un año", "2024", "year")),
        # months without a year
        ("A principios de marzo llegaron las tropas.", FRIDAY, ("marzo", "2025-03", "month")),
        ("Los combates estallaron en mayo.", FRIDAY, ("mayo", "2024-05", "month")),
        ("Los hechos se remontan a julio pasado.", FRIDAY, ("julio pasado", "2024-07", "month")),
        (
            "El pasado mes de enero se firmó el pacto.",
            FRIDAY,
            ("enero", "2025-01", "month"),
        ),
    ],
)
def test_spanish_expression(
    text: str, published: datetime.date | None, expected: tuple[str, str, str]
) -> None:
    assert found(text, published, "es") == [expected]


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        ("Entre el 3 y el 5 de marzo hubo combates.", FRIDAY, ["2025-03-03", "2025-03-05"]),
        ("Del 3 al 5 de marzo de 2024 hubo combates.", None, ["2024-03-03", "2024-03-05"]),
        (
            "Del 28 de febrero al 3 de marzo de 2021, en Dakar.",
            None,
            ["2021-02-28", "2021-03-03"],
        ),
        ("Del 30 de diciembre al 2 de enero de 2020.", None, ["2019-12-30", "2020-01-02"]),
        ("De enero a marzo de 2021, las patrullas.", None, ["2021-01", "2021-03"]),
        ("Entre 2014 y 2017, los ataques se duplicaron.", None, ["2014", "2017"]),
        ("De 2014 a 2017 la fuerza se desplegó.", None, ["2014", "2017"]),
        ("Hubo atentados en 2012, 2013 y 2015.", None, ["2012", "2013", "2015"]),
    ],
)
def test_spanish_ranges(text: str, published: datetime.date | None, expected: list[str]) -> None:
    assert [m.date.iso for m in find_dates(text, published, language="es")] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Se reunieron por la mañana en Rabat.",  # "mañana" is the morning here
        "La mañana del atentado, la ciudad dormía.",
        "El mañana de la región es incierto.",
        "Hoy en día la cooperación es estrecha.",  # "nowadays"
        "Hace unos días se firmó el acuerdo.",  # vague
        "Plácido Domingo cantó en el Teatro Real.",  # a name, no Sunday
        "El avión aterrizó en Santo Domingo.",
        "Enviaron 2000 soldados a la frontera.",
        "La resolución 2100 fue adoptada por unanimidad.",
        "Los barcos cayeron al mar sin dejar rastro.",
        "El 31 de febrero de 2021 no existe.",
    ],
)
def test_spanish_traps_are_not_dates(text: str) -> None:
    assert find_dates(text, FRIDAY, language="es") == []


@pytest.mark.parametrize(
    "text",
    [
        "Ayer detuvieron a dos sospechosos.",
        "El ataque tuvo lugar el pasado martes.",
        "Los hechos ocurrieron el 3 de marzo.",
        "Hace tres días, la semana pasada, el año pasado, en mayo.",
    ],
)
def test_spanish_relative_dates_need_a_publication_date(text: str) -> None:
    assert find_dates(text, None, language="es") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Redacción | Publicado el 03/03/2025 a las 10:30 h\nTexto", datetime.date(2025, 3, 3)),
        ("Actualizado el 04/03/2025 - Publicado el 03/03/2025\nTexto", datetime.date(2025, 3, 3)),
        ("Actualizado el 4 de marzo de 2025\nTexto", datetime.date(2025, 3, 4)),
        (
            "MADRID, 3 de marzo de 2025 (EFE) - El ministro del Interior recibió a su homólogo "
            "marroquí para hablar de cooperación.",
            datetime.date(2025, 3, 3),
        ),
        ("Martes, 3 de marzo de 2025 a las 10:30\nTexto", datetime.date(2025, 3, 3)),
    ],
)
def test_spanish_publication_date(text: str, expected: datetime.date) -> None:
    assert detect_publication_date(text, language="es") == expected


def test_spanish_narrative_date_is_no_publication_date() -> None:
    text = (
        "El 16 de mayo de 2003, varios atacantes golpearon a la vez distintos lugares de la ciudad."
    )
    assert detect_publication_date(text, language="es") is None


# -- English ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        # full dates
        (
            "The summit opened on March 3, 2025 in Rabat.",
            None,
            ("March 3, 2025", "2025-03-03", "day"),
        ),
        (
            "The summit opened on 3 March 2025 in Rabat.",
            None,
            ("3 March 2025", "2025-03-03", "day"),
        ),
        (
            "Tuesday, March 4, 2025: the talks began.",
            None,
            ("Tuesday, March 4, 2025", "2025-03-04", "day"),
        ),
        ("The 3rd of March 2025 was calm.", None, ("3rd of March 2025", "2025-03-03", "day")),
        # US order, as the key numeric_date_order says.
        ("The accord was signed on 03/04/2025.", None, ("03/04/2025", "2025-03-04", "day")),
        # months and years
        ("In March 2025 the army moved north.", None, ("March 2025", "2025-03", "month")),
        ("The report of may 2025 says so.", None, ("may 2025", "2025-05", "month")),
        ("Troops left in late 2024.", None, ("2024", "2024", "year")),
        ("The force was created in 2012.", None, ("2012", "2012", "year")),
        # days without a year
        ("The attack happened on March 3.", FRIDAY, ("March 3", "2025-03-03", "day")),
        ("Talks resumed Mar. 3 in Geneva.", FRIDAY, ("Mar. 3", "2025-03-03", "day")),
        ("Talks resumed on March 3rd.", FRIDAY, ("March 3rd", "2025-03-03", "day")),
        ("The law has applied since January 1st.", FRIDAY, ("January 1st", "2025-01-01", "day")),
        ("On May 5 the court ruled.", FRIDAY, ("May 5", "2024-05-05", "day")),
        # weekdays
        ("The minister spoke on Tuesday.", FRIDAY, ("Tuesday", "2025-03-18", "day")),
        ("The attack happened last Tuesday.", FRIDAY, ("last Tuesday", "2025-03-18", "day")),
        ("The convoy leaves next Monday.", FRIDAY, ("next Monday", "2025-03-24", "day")),
        # relative days
        ("Two suspects were arrested yesterday.", FRIDAY, ("yesterday", "2025-03-20", "day")),
        ("Yesterday's attack killed two soldiers.", FRIDAY, ("Yesterday", "2025-03-20", "day")),
        ("Ministers meet today in Nouakchott.", FRIDAY, ("today", "2025-03-21", "day")),
        ("Ministers will meet tomorrow.", FRIDAY, ("tomorrow", "2025-03-22", "day")),
        (
            "The blast happened the day before yesterday.",
            FRIDAY,
            ("the day before yesterday", "2025-03-19", "day"),
        ),
        # relative periods
        ("There were two attacks last week.", FRIDAY, ("last week", "2025-03", "month")),
        ("The deal was signed last month.", FRIDAY, ("last month", "2025-02", "month")),
        ("The deal was signed last year.", FRIDAY, ("last year", "2024", "year")),
        ("Last year's budget was cut.", FRIDAY, ("Last year", "2024", "year")),
        ("The base will close next year.", FRIDAY, ("next year", "2026", "year")),
        ("The deal was signed two weeks ago.", FRIDAY, ("two weeks ago", "2025-03", "month")),
        ("The deal was signed three days ago.", FRIDAY, ("three days ago", "2025-03-18", "day")),
        ("The deal was signed a year ago.", FRIDAY, ("a year ago", "2024", "year")),
        # months without a year
        ("Troops arrived in early March.", FRIDAY, ("March", "2025-03", "month")),
        ("Troops left mid-March.", FRIDAY, ("March", "2025-03", "month")),
        ("In May the rains came.", FRIDAY, ("May", "2024-05", "month")),
        ("Last May the rains came.", FRIDAY, ("Last May", "2024-05", "month")),
    ],
)
def test_english_expression(
    text: str, published: datetime.date | None, expected: tuple[str, str, str]
) -> None:
    assert found(text, published, "en") == [expected]


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        ("Fighting raged between March 3 and 5.", FRIDAY, ["2025-03-03", "2025-03-05"]),
        ("Fighting raged March 3-5.", FRIDAY, ["2025-03-03", "2025-03-05"]),
        ("Fighting raged from March 3 to 5, 2024.", None, ["2024-03-03", "2024-03-05"]),
        ("Talks ran from February 28 to March 3, 2021.", None, ["2021-02-28", "2021-03-03"]),
        ("Between 3 and 5 March 2024, talks were held.", None, ["2024-03-03", "2024-03-05"]),
        ("From January to March 2021 patrols went on.", None, ["2021-01", "2021-03"]),
        ("Between 2014 and 2017 attacks doubled.", None, ["2014", "2017"]),
        ("From 2014 to 2017 the force deployed.", None, ["2014", "2017"]),
        ("There were attacks in 2012, 2013 and 2015.", None, ["2012", "2013", "2015"]),
    ],
)
def test_english_ranges(text: str, published: datetime.date | None, expected: list[str]) -> None:
    assert [m.date.iso for m in find_dates(text, published, language="en")] == expected


@pytest.mark.parametrize(
    "text",
    [
        "You may go now.",  # the modal verb, not the month
        "They may attack again.",
        "They march on the capital.",  # the verb, not the month
        "They march 3 miles a day.",
        "These 3 may help.",
        "Details in may change.",  # lowercase and alone: no month
        "Over the last year attacks doubled.",  # the twelve months before, not last year
        "She stayed the last week in Rabat.",
        "A few weeks ago the deal was signed.",  # vague
        "A contingent of 2000 soldiers arrived.",
        "They paid 2012 dollars in fees.",
        "Resolution 2100 was adopted unanimously.",
    ],
)
def test_english_traps_are_not_dates(text: str) -> None:
    assert find_dates(text, FRIDAY, language="en") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # no range without an opener word or a dash: "4" counts soldiers.
        ("On March 3 and 4 soldiers were killed.", [("March 3", "2025-03-03", "day")]),
        # a weekday and a number are no date in English: "13" counts people.
        ("On Sunday 13 people died.", [("Sunday", "2025-03-16", "day")]),
    ],
)
def test_english_numbers_after_a_date_are_not_days(
    text: str, expected: list[tuple[str, str, str]]
) -> None:
    assert found(text, FRIDAY, "en") == expected


@pytest.mark.parametrize(
    "text",
    [
        "Two suspects were arrested yesterday.",
        "The attack happened last Tuesday.",
        "The attack happened on March 3.",
        "Three days ago, last week, last year, in May.",
    ],
)
def test_english_relative_dates_need_a_publication_date(text: str) -> None:
    assert find_dates(text, None, language="en") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("By staff | Published March 3, 2025 at 10:30 a.m.\nText", datetime.date(2025, 3, 3)),
        ("Updated March 4, 2025 - Published March 3, 2025\nText", datetime.date(2025, 3, 3)),
        ("Last updated 03/04/2025\nText", datetime.date(2025, 3, 4)),
        ("Published on 3 March 2025\nText", datetime.date(2025, 3, 3)),
        (
            "RABAT, March 3, 2025 (Reuters) - Morocco and Mali agreed on Tuesday to share "
            "intelligence on armed groups.",
            datetime.date(2025, 3, 3),
        ),
    ],
)
def test_english_publication_date(text: str, expected: datetime.date) -> None:
    assert detect_publication_date(text, language="en") == expected


def test_english_narrative_date_is_no_publication_date() -> None:
    text = "On May 16, 2003, suicide bombers struck several places in the city at the same time."
    assert detect_publication_date(text, language="en") is None


# -- every language --------------------------------------------------------------------------


def test_resolve_date_takes_the_language() -> None:
    resolved = resolve_date("hace tres días", FRIDAY, language="es")
    assert resolved is not None and resolved.iso == "2025-03-18"
    resolved = resolve_date("three days ago", FRIDAY, language="en")
    assert resolved is not None and resolved.iso == "2025-03-18"
    assert resolve_date("three days ago", FRIDAY) is None  # French by default


def test_one_grammar_per_language() -> None:
    assert date_grammar("es") is date_grammar("es")
    assert date_grammar("es") is not date_grammar("en")


def _dates_yaml(code: str) -> dict:
    text = resources.files("veille.lang").joinpath(code, "dates.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@pytest.mark.parametrize("code", ["es", "en"])
def test_every_dates_yaml_has_the_keys_of_french(code: str) -> None:
    assert sorted(_dates_yaml(code)) == sorted(_dates_yaml("fr"))


def _pieces(code: str) -> list[str]:
    data = _dates_yaml(code)
    words = [
        *data["months"],
        *(f"{word}." for word in data["month_abbreviations"]),
        *data["weekdays"],
        *data["past_markers_before"],
        *data["future_markers_before"],
        *data["relative_days"],
        *data["relative_weeks"],
        *data["ago_units"],
        *data["ago_counts"],
        *data["month_context"],
        *data["range_separators"],
        *data["day_month_words"],
        *data["publication_markers"],
    ]
    return [*words, *(w.capitalize() for w in words), *"0123456789 /.-,:'()\n", "2014", "1º"]


@settings(max_examples=150, deadline=None)
@given(
    data=st.data(),
    code=st.sampled_from(["es", "en"]),
    published=st.one_of(st.none(), st.dates()),
)
def test_find_dates_never_raises_in_any_language(
    data: st.DataObject, code: str, published: datetime.date | None
) -> None:
    pieces = st.lists(st.sampled_from(_pieces(code)), max_size=30)
    text = " ".join(data.draw(pieces))
    for mention in find_dates(text, published, language=code):
        assert 0 <= mention.start < mention.end <= len(text)
        assert text[mention.start : mention.end] == mention.date.text
    detect_publication_date(text, language=code)
