"""Date expressions of French news resolved against the publication date (veille.dates)."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veille.dates import MARGIN_DAYS, detect_publication_date, find_dates, resolve_date
from veille.lang import LanguageNotCoded

MONDAY_2014 = datetime.date(2014, 7, 21)  # a Monday
FRIDAY_2024 = datetime.date(2024, 3, 15)


def found(text: str, published: datetime.date | None) -> list[tuple[str, str, str]]:
    """(expression, iso, precision) of every date of ``text``, in order."""
    return [(m.date.text, m.date.iso, m.date.precision) for m in find_dates(text, published)]


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        # full dates
        (
            "Le sommet s'est ouvert le 3 mars 2021 à Rabat.",
            None,
            ("3 mars 2021", "2021-03-03", "day"),
        ),
        ("Signé le 3/03/2021.", None, ("3/03/2021", "2021-03-03", "day")),
        ("Daté du 03.03.2021.", None, ("03.03.2021", "2021-03-03", "day")),
        ("Horodatage 2021-03-03.", None, ("2021-03-03", "2021-03-03", "day")),
        (
            "Depuis le 1er janvier 2020, la loi s'applique.",
            None,
            ("1er janvier 2020", "2020-01-01", "day"),
        ),
        ("Depuis le 1ᵉʳ janvier 2020.", None, ("1ᵉʳ janvier 2020", "2020-01-01", "day")),
        ("Le mardi 3 mars 2020, les ministres.", None, ("mardi 3 mars 2020", "2020-03-03", "day")),
        ("Rencontre le 12 sept. 2019 à Niamey.", None, ("12 sept. 2019", "2019-09-12", "day")),
        ("Le 14 FÉVRIER 2018 à Alger.", None, ("14 FÉVRIER 2018", "2018-02-14", "day")),
        ("Accord du 5 aout 2016 (sans accent).", None, ("5 aout 2016", "2016-08-05", "day")),
        # months and years
        ("Le mandat court jusqu'en juillet 2024.", None, ("juillet 2024", "2024-07", "month")),
        (
            "En novembre 2023, l'armée a renforcé ses positions.",
            None,
            ("novembre 2023", "2023-11", "month"),
        ),
        ("Un rapport de novembre 2023 le confirme.", None, ("novembre 2023", "2023-11", "month")),
        ("Bilan au 07/2014 publié.", None, ("07/2014", "2014-07", "month")),
        ("La force a été créée en 2012 au Sahel.", None, ("2012", "2012", "year")),
        ("Il est détenu depuis 2017.", None, ("2017", "2017", "year")),
        ("Le retrait est prévu fin 2023.", None, ("2023", "2023", "year")),
        ("Le retrait est prévu début 2024.", None, ("2024", "2024", "year")),
        ("Le chiffre de l'année 2019 est en hausse.", None, ("2019", "2019", "year")),
        ("Les élections de mi-2024.", None, ("2024", "2024", "year")),
        # relative expressions
        ("Il a été arrêté hier à Gao.", MONDAY_2014, ("hier", "2014-07-20", "day")),
        ("La réunion d'hier a été reportée.", MONDAY_2014, ("hier", "2014-07-20", "day")),
        ("Avant-hier, l'armée a frappé.", MONDAY_2014, ("Avant-hier", "2014-07-19", "day")),
        (
            "Les ministres se réunissent aujourd'hui.",
            MONDAY_2014,
            ("aujourd'hui", "2014-07-21", "day"),
        ),
        (
            "Les ministres se réunissent aujourd’hui.",
            MONDAY_2014,
            ("aujourd’hui", "2014-07-21", "day"),
        ),
        ("Ils se retrouvent demain à Nouakchott.", MONDAY_2014, ("demain", "2014-07-22", "day")),
        ("L'attaque a eu lieu mardi dernier.", MONDAY_2014, ("mardi dernier", "2014-07-15", "day")),
        ("L'attaque a eu lieu lundi dernier.", MONDAY_2014, ("lundi dernier", "2014-07-14", "day")),
        ("Le convoi partira mardi prochain.", MONDAY_2014, ("mardi prochain", "2014-07-22", "day")),
        ("Le ministre a déclaré vendredi que", MONDAY_2014, ("vendredi", "2014-07-18", "day")),
        ("Le ministre a déclaré lundi que", MONDAY_2014, ("lundi", "2014-07-21", "day")),
        (
            "Le 16 juillet dernier, un poste a été attaqué.",
            MONDAY_2014,
            ("16 juillet dernier", "2014-07-16", "day"),
        ),
        (
            "Le 21 juillet dernier, un poste a été attaqué.",
            MONDAY_2014,
            ("21 juillet dernier", "2013-07-21", "day"),
        ),
        (
            "La visite aura lieu le 16 juillet prochain.",
            MONDAY_2014,
            ("16 juillet prochain", "2015-07-16", "day"),
        ),
        ("Les faits remontent au 17 février.", MONDAY_2014, ("17 février", "2014-02-17", "day")),
        (
            "La conférence est prévue le 25 juillet.",
            MONDAY_2014,
            ("25 juillet", "2014-07-25", "day"),
        ),
        (
            "Un incident le 30 juillet a été signalé.",
            MONDAY_2014,
            ("30 juillet", "2013-07-30", "day"),
        ),
        (
            "Les faits remontent au 20 décembre.",
            datetime.date(2015, 1, 5),
            ("20 décembre", "2014-12-20", "day"),
        ),
        (
            "Il est arrivé le 29 février.",
            datetime.date(2015, 6, 1),
            ("29 février", "2012-02-29", "day"),
        ),
        ("Le texte a été voté l'an dernier.", MONDAY_2014, ("l'an dernier", "2013", "year")),
        (
            "Le texte sera voté l'année prochaine.",
            MONDAY_2014,
            ("l'année prochaine", "2015", "year"),
        ),
        (
            "Le texte a été voté le mois dernier.",
            MONDAY_2014,
            ("le mois dernier", "2014-06", "month"),
        ),
        (
            "Le texte a été voté il y a trois jours.",
            MONDAY_2014,
            ("il y a trois jours", "2014-07-18", "day"),
        ),
        ("Le texte a été voté il y a 2 mois.", MONDAY_2014, ("il y a 2 mois", "2014-05", "month")),
        ("Le texte a été voté il y a deux ans.", MONDAY_2014, ("il y a deux ans", "2012", "year")),
        (
            "Des combats ont éclaté en juillet dernier.",
            MONDAY_2014,
            ("juillet dernier", "2013-07", "month"),
        ),
        ("Des combats ont éclaté mi-juillet.", MONDAY_2014, ("juillet", "2014-07", "month")),
        ("Des combats ont éclaté en août.", MONDAY_2014, ("août", "2013-08", "month")),
        ("Le sommet se tiendra en août.", datetime.date(2014, 7, 28), ("août", "2014-08", "month")),
    ],
)
def test_single_expression(
    text: str, published: datetime.date | None, expected: tuple[str, str, str]
) -> None:
    assert found(text, published) == [expected]


@pytest.mark.parametrize(
    ("text", "published", "iso"),
    [
        # 20 July 2014 is a Sunday, 20 July 2013 a Saturday.
        ("200 soldats ont quitté le Mali dimanche 20 juillet.", MONDAY_2014, "2014-07-20"),
        ("Ils sont partis samedi 20 juillet.", MONDAY_2014, "2013-07-20"),
        # no year within one of 2014 has a Thursday 20 July: the plain rule applies.
        ("Ils sont partis jeudi 20 juillet.", MONDAY_2014, "2014-07-20"),
        # across New Year, in both directions.
        ("Attaque le mercredi 31 décembre.", datetime.date(2015, 1, 2), "2014-12-31"),
        ("Réunion le vendredi 2 janvier.", datetime.date(2014, 12, 30), "2015-01-02"),
        # a weekday and a day of the month only: the latest such day before publication.
        ("Arrivés dimanche 13, ils sont repartis.", MONDAY_2014, "2014-07-13"),
    ],
)
def test_weekday_picks_the_year(text: str, published: datetime.date, iso: str) -> None:
    (mention,) = find_dates(text, published)
    assert mention.date.iso == iso
    weekday_name = mention.date.text.split()[0].lower()
    weekdays = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
    if "jeudi" not in text:  # the fallback case is deliberately not that weekday
        assert weekdays[mention.date.value.weekday()] == weekday_name
    assert mention.date.value <= published + datetime.timedelta(days=MARGIN_DAYS)


@pytest.mark.parametrize(
    ("published", "iso"),
    [
        (datetime.date(2024, 3, 1), "2024-02"),  # last week: 19-25 February
        (FRIDAY_2024, "2024-03"),  # last week: 4-10 March
        (datetime.date(2024, 4, 3), "2024-03"),  # last week: 25-31 March
        (datetime.date(2024, 3, 6), None),  # last week: 26 February - 3 March spans two months
    ],
)
def test_last_week_is_a_month_only_when_honest(published: datetime.date, iso: str | None) -> None:
    mentions = find_dates("Les combats de la semaine dernière.", published)
    assert [m.date.iso for m in mentions] == ([iso] if iso else [])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Entre 2014 et 2017, les attaques ont doublé.", ["2014", "2017"]),
        ("Le plan d'action (2020-2022) a été adopté.", ["2020", "2022"]),
        ("De 2014 à 2017, la force a été déployée.", ["2014", "2017"]),
        ("Le programme 2014–2017 du G5.", ["2014", "2017"]),
        ("Des attaques en 2012, 2013 et 2015.", ["2012", "2013", "2015"]),
        ("Du 28 février au 3 mars 2021, à Dakar.", ["2021-02-28", "2021-03-03"]),
        ("Les 3 et 4 mars 2021, à Dakar.", ["2021-03-03", "2021-03-04"]),
        ("Entre le 24 et le 26 mars 1999.", ["1999-03-24", "1999-03-26"]),
        ("Du 30 décembre au 2 janvier 2020.", ["2019-12-30", "2020-01-02"]),
        ("De janvier à mars 2021, les patrouilles.", ["2021-01", "2021-03"]),
    ],
)
def test_ranges_give_every_end(text: str, expected: list[str]) -> None:
    assert [m.date.iso for m in find_dates(text, None)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Il a été arrêté hier.",
        "Les faits remontent au 17 février.",
        "200 soldats ont quitté le Mali dimanche 20 juillet.",
        "L'attaque a eu lieu mardi dernier.",
        "Voté l'an dernier, il y a trois jours, la semaine dernière, en juillet.",
    ],
)
def test_relative_dates_need_a_publication_date(text: str) -> None:
    assert find_dates(text, None) == []


@pytest.mark.parametrize(
    "text",
    [
        "Le ministre a présenté sa stratégie et sa feuille de route.",  # "sa" is no Saturday
        "En application de la Résolution 2703 du Conseil de sécurité.",
        "La résolution 2100 a été adoptée à l'unanimité.",
        "Les 322 détenus ont été transférés.",
        "Un contingent de 2000 soldats est arrivé.",
        "Ils ont payé 2012 euros, en 2000 € de frais.",
        "Le numéro 1999 de la revue.",
        "Il y avait sept agents sur place.",
        "Le 31 février 2021 n'existe pas.",
        "La version 3.14.2015 du logiciel.",
        "Le Mali, le Niger et le Burkina Faso.",
        "La sonde vers Mars est partie.",  # a month name without a context word or year
    ],
)
def test_traps_are_not_dates(text: str) -> None:
    assert find_dates(text, MONDAY_2014) == []


def test_offsets_slice_the_original_text() -> None:
    text = "RABAT – Le 3 mars 2021, puis hier, et entre 2014 et 2017 (2020-2022)."
    mentions = find_dates(text, MONDAY_2014)
    assert [text[m.start : m.end] for m in mentions] == [
        "3 mars 2021",
        "hier",
        "2014",
        "2017",
        "2020",
        "2022",
    ]
    assert all(text[m.start : m.end] == m.date.text for m in mentions)


def test_longest_expression_wins() -> None:
    # "dimanche 20 juillet" is one expression, not a weekday plus a day.
    assert found("Partis dimanche 20 juillet 2014.", None) == [
        ("dimanche 20 juillet 2014", "2014-07-20", "day")
    ]
    # unresolvable without a publication date, it does not degrade into a bare weekday.
    assert found("Partis dimanche 20 juillet.", None) == []


def test_french_is_the_default_language() -> None:
    text = "Le 3 mars 2021, puis hier, mardi dernier et il y a trois jours."
    assert find_dates(text, MONDAY_2014, language="fr") == find_dates(text, MONDAY_2014)
    assert len(find_dates(text, MONDAY_2014)) == 4
    dateline = "Publié le 21/07/2014\nTexte"
    assert detect_publication_date(dateline, language="fr") == datetime.date(2014, 7, 21)


def test_a_language_without_a_folder_is_refused() -> None:
    with pytest.raises(LanguageNotCoded):
        find_dates("le 3 mars 2021", None, language="xx")


def test_resolve_date_reads_one_expression() -> None:
    resolved = resolve_date("le 17 février", MONDAY_2014)
    assert resolved is not None and resolved.iso == "2014-02-17"
    assert resolve_date("le 17 février", None) is None
    assert resolve_date("rien", MONDAY_2014) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "RABAT, 21 juillet 2014 (MAP) - Le Maroc et le Mali coopèrent.",
            datetime.date(2014, 7, 21),
        ),
        (
            "Par la rédaction | Publié le 21/07/2014 à 10h30\nLe Maroc...",
            datetime.date(2014, 7, 21),
        ),
        ("Mis à jour le 22/07/2014 - Publié le 21/07/2014\nTexte", datetime.date(2014, 7, 21)),
        ("Mis à jour le 22/07/2014\nTexte", datetime.date(2014, 7, 22)),
        ("Lundi 21 juillet 2014 à 10:30\nLe Maroc et le Mali.", datetime.date(2014, 7, 21)),
        ("2014-07-21T10:00:00\nLe Maroc et le Mali.", datetime.date(2014, 7, 21)),
        (
            "Attentats du 16 mai 2003 : vingt ans après\nLundi 15 mai 2023\nTexte",
            datetime.date(2023, 5, 15),
        ),
    ],
)
def test_publication_date_from_dateline(text: str, expected: datetime.date) -> None:
    assert detect_publication_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Le 16 mai 2003, des kamikazes ont frappé plusieurs lieux de la ville en même temps.",
        "Le 4 septembre 2017 à 13h, un homme a été arrêté devant le ministère de l'intérieur.",
        "Attentats du 16 mai 2003 : vingt ans après\nLe texte continue sans date.",
        "Publié le 17 février\nPas d'année : pas de date de publication.",
        "Le Maroc et le Mali coopèrent depuis 2012.",
        "",
    ],
)
def test_no_publication_date_without_dateline(text: str) -> None:
    assert detect_publication_date(text) is None


def test_publication_date_only_in_first_lines() -> None:
    lines = [f"Paragraphe {i} sans date." for i in range(12)]
    assert detect_publication_date("\n".join([*lines, "Publié le 3 mars 2021"])) is None
    assert detect_publication_date("\n".join(["Publié le 3 mars 2021", *lines])) == datetime.date(
        2021, 3, 3
    )


_PIECES = [
    *"0123456789 /.-–,:'’()éèûàa\u00a0\u202fᵉʳ\n",
    *["le ", "mars ", "juillet ", "dimanche ", "dernier ", "en ", "hier ", "entre ", "et "],
    *["1er ", "2014", "il y a ", "trois ", "jours", "sept.", "2100", "1900", "la semaine "],
]


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(st.sampled_from(_PIECES), max_size=40).map("".join),
    published=st.one_of(st.none(), st.dates()),
)
def test_find_dates_never_raises_and_offsets_are_in_bounds(
    text: str, published: datetime.date | None
) -> None:
    for mention in find_dates(text, published):
        assert 0 <= mention.start < mention.end <= len(text)
        assert text[mention.start : mention.end] == mention.date.text
        assert mention.date.precision in ("day", "month", "year")
    detect_publication_date(text)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200), published=st.one_of(st.none(), st.dates()))
def test_find_dates_on_any_unicode(text: str, published: datetime.date | None) -> None:
    for mention in find_dates(text, published):
        assert 0 <= mention.start < mention.end <= len(text)
