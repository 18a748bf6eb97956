"""Every event placed in time, most in space (veille.placing), on sentences we wrote."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from veille.model import Actor, CleanDocument, Document, Event, Paragraph
from veille.placing import earlier_date, find_dateline, locative_places, situate

PUBLISHED = date(2025, 3, 12)  # a Wednesday


def _code(pipeline, text: str, published: date | None = PUBLISHED):
    document = Document(Document.content_id(text), "t.txt", text, "txt", published=published)
    return list(pipeline.process(document).events)


def _one(pipeline, text: str, event_type: str, published: date | None = PUBLISHED):
    [event] = [e for e in _code(pipeline, text, published) if e.event == event_type]
    return event


def _place(event) -> str | None:
    return event.event_loc.extracted_place if event.event_loc else None


# -- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "iso", "precision"),
    [
        (
            "Le Niger et le Tchad ont signé le 3 février 2025 un accord de défense.",
            "2025-02-03",
            "day",
        ),
        (
            "Le Niger et le Tchad ont signé en janvier 2025 un accord de défense.",
            "2025-01",
            "month",
        ),
        ("Le Niger et le Tchad ont signé lundi un accord de défense.", "2025-03-10", "day"),
    ],
)
def test_stated_date_is_kept_with_its_precision(pipeline, text, iso, precision) -> None:
    event = _one(pipeline, text, "SUPPORT")
    assert (event.date.iso, event.date.precision, event.date_source) == (iso, precision, "text")
    record = event.to_json()
    assert (record["date"], record["date_precision"], record["date_source"]) == (
        iso,
        precision,
        "text",
    )


def test_without_a_stated_date_the_event_takes_the_publication_date(pipeline) -> None:
    event = _one(pipeline, "Le Niger et le Tchad ont signé un accord de défense.", "SUPPORT")
    assert (event.date.iso, event.date.precision, event.date_source) == (
        "2025-03-12",
        "day",
        "published",
    )
    keys = list(event.to_json())
    assert keys[keys.index("date_precision") + 1] == "date_source"


def test_without_publication_date_nothing_is_invented(pipeline) -> None:
    event = _one(pipeline, "Le Niger et le Tchad ont signé un accord de défense.", "SUPPORT", None)
    assert event.date is None and event.date_source is None
    assert event.to_json()["date_source"] is None


def test_background_event_keeps_only_a_stated_date(pipeline) -> None:
    event = _one(
        pipeline, "En 2012, le Mali et la France avaient signé un accord de défense.", "SUPPORT"
    )
    assert event.historical and event.date.iso == "2012" and event.date_source == "text"


def test_background_event_gets_no_date_or_place_from_outside_its_sentence() -> None:
    text = "NIAMEY, 10 mars (AFP) - Les deux pays avaient coopéré contre Boko Haram."
    document = Document(Document.content_id(text), "t.txt", text, "txt", published=PUBLISHED)
    clean = CleanDocument(document, (Paragraph(0, len(text), text, "fr", True),))
    niger = Actor("NER", ("GOV",), "Niger", "Niger")
    chad = Actor("TCD", ("GOV",), "Tchad", "Tchad")
    current = Event("t.txt", document.doc_id, "COOPERATE", [niger, chad], [], text, 0, len(text))
    background = replace(current, event="SUPPORT", historical=True)
    now, then = situate([current, background], clean)
    assert (now.date.iso, now.date_source, now.event_loc.extracted_place) == (
        "2025-03-10",
        "text",
        "NIAMEY",
    )
    assert (then.date, then.date_source, then.event_loc) == (None, None, None)


def test_an_earlier_sentence_of_the_paragraph_dates_the_event(pipeline) -> None:
    text = (
        "Le ministre tchadien de la Défense est arrivé lundi à Niamey. "
        "Le Niger et le Tchad ont signé un accord de défense."
    )
    event = _one(pipeline, text, "SUPPORT")
    assert (event.date.iso, event.date_source) == ("2025-03-10", "text")


def test_a_dateline_dates_the_lede_only(pipeline) -> None:
    text = (
        "NIAMEY, 10 mars (AFP) - Le Niger et le Tchad ont signé un accord de défense.\n\n"
        "Les deux pays coopèrent déjà étroitement contre Boko Haram."
    )
    lede = _one(pipeline, text, "SUPPORT")
    later = _one(pipeline, text, "COOPERATE")
    assert (lede.date.iso, lede.date_source) == ("2025-03-10", "text")
    assert (later.date.iso, later.date_source) == ("2025-03-12", "published")


def test_earlier_date_must_be_recent() -> None:
    text = "Un accord avait été signé le 4 mai 2019. Les deux pays ont signé un protocole."
    start = text.index("Les deux")
    assert earlier_date(text, start, PUBLISHED) is None
    recent = "Le ministre est arrivé le 2 mars. Les deux pays ont signé un protocole."
    found = earlier_date(recent, recent.index("Les deux"), PUBLISHED)
    assert found is not None and found.value == date(2025, 3, 2)
    # without a publication date only a full day counts
    assert earlier_date(recent, recent.index("Les deux"), None) is None
    full = "Le ministre est arrivé le 2 mars 2025. Les deux pays ont signé un protocole."
    assert earlier_date(full, full.index("Les deux"), None).value == date(2025, 3, 2)


# -- places ---------------------------------------------------------------------------------


def test_place_named_in_the_sentence(pipeline) -> None:
    event = _one(
        pipeline,
        "La police marocaine a arrêté trois membres présumés de l'État islamique "
        "dans la région de Nador.",
        "COERCE",
    )
    assert _place(event) == "Nador" and event.event_loc.country_code == "MAR"


def test_place_from_the_paragraph(pipeline) -> None:
    text = (
        "Le ministre tchadien de la Défense est arrivé lundi à Niamey. "
        "Le Niger et le Tchad ont signé un accord de défense."
    )
    event = _one(pipeline, text, "SUPPORT")
    assert _place(event) == "Niamey" and event.event_loc.country_code == "NER"


def test_place_from_the_dateline(pipeline) -> None:
    text = (
        "NIAMEY, 10 mars (AFP) - Le Niger et le Tchad ont signé un accord de défense.\n\n"
        "Les deux pays coopèrent déjà étroitement contre Boko Haram."
    )
    for event in _code(pipeline, text):
        assert event.event_loc is not None and event.event_loc.country_code == "NER"


def test_a_wire_desk_dateline_is_not_where_a_far_event_happened(pipeline) -> None:
    text = "LE CAIRE (Reuters) - Le Niger et le Tchad ont signé un accord de défense."
    event = _one(pipeline, text, "SUPPORT")
    assert event.event_loc is None


def test_a_capital_used_as_an_actor_is_not_the_place(pipeline) -> None:
    event = _one(
        pipeline, "Rabat a condamné l'attaque contre les soldats maliens à Ménaka.", "ACCUSE"
    )
    assert [a.code for a in event.actor] == ["MAR"]
    assert _place(event) == "Ménaka"


def test_a_country_receiving_support_is_not_its_place(pipeline) -> None:
    text = "Le Sénégal a réaffirmé à Dakar son soutien à la Gambie, a indiqué le ministère."
    event = _one(pipeline, text, "SUPPORT")
    assert _place(event) == "Dakar"


def test_a_country_where_soldiers_were_killed_is_the_place(pipeline) -> None:
    event = _one(pipeline, "Des soldats nigériens ont été tués au Niger.", "ASSAULT")
    assert _place(event) == "Niger"


def test_background_event_takes_no_place_from_outside_its_sentence(pipeline) -> None:
    text = (
        "Le ministre tchadien de la Défense est arrivé lundi à Niamey. "
        "En 2012, le Niger et le Tchad avaient signé un accord de défense."
    )
    event = _one(pipeline, text, "SUPPORT")
    assert event.historical and event.event_loc is None


# -- the building blocks --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("une attaque à Gao, puis à Ménaka et près de Kidal", ["Gao", "Ménaka", "Kidal"]),
        ("dans la région de Tillabéri", ["Tillabéri"]),
        ("dans le nord du Mali", ["Mali"]),
        ("réunis en Arabie saoudite", ["Arabie saoudite"]),
        ("la cellule démantelée en novembre en France", ["France"]),
        ("a remis à Nasser Bourita une lettre", []),  # a person
        ("en matière de Défense", []),
    ],
)
def test_locative_places(text: str, expected: list[str]) -> None:
    assert [text[p.start : p.end] for p in locative_places(text)] == expected


def test_a_place_name_never_runs_over_a_line_break() -> None:
    text = "démantelée en France\n\nDR\n\nLe ministère"
    [place] = locative_places(text)
    assert text[place.start : place.end] == "France"


@pytest.mark.parametrize(
    ("text", "place", "iso"),
    [
        ("BAMAKO, 17 février (AFP) - Le Mali et le Niger ...", "BAMAKO", "2025-02-17"),
        ("Rabat, 27 mai 2024 – Le ministre ...", "Rabat", "2024-05-27"),
        ("Niamey (AFP) - Les autorités ...", "Niamey", None),
        ("RABAT - Le Maroc et le Mali ...", "RABAT", None),
        ("Rabat-Maroc (Mapresse) Le Maroc et le Niger ...", "Rabat", None),
        (
            "Titre de l'article\n\nLE CAIRE, 7 mars (Reuters) - Le JNIM ...",
            "LE CAIRE",
            "2025-03-07",
        ),
    ],
)
def test_dateline(text: str, place: str, iso: str | None) -> None:
    dateline = find_dateline(text, PUBLISHED)
    assert dateline is not None and dateline.place.extracted_place == place
    assert (dateline.date.iso if dateline.date else None) == iso


@pytest.mark.parametrize(
    "text",
    [
        "Mali : l'armée annonce avoir repris Kidal",  # a title, not a dateline
        "Mali - Niger : les deux armées coopèrent",  # countries, not a town
        "Le Maroc et le Niger ont signé un accord.",
        "Israel Aerospace Industries (IAI), société publique, a vendu des drones.",
    ],
)
def test_no_dateline(text: str) -> None:
    assert find_dateline(text, PUBLISHED) is None
