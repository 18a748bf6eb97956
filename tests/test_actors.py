"""Actor recognition: behaviour on sentences we wrote, and the measured figures."""

from __future__ import annotations

import pytest

from veille.actors import ActorRecogniser


@pytest.fixture(scope="module")
def recogniser(nlp):
    return ActorRecogniser(nlp)


def _found(recogniser, nlp, text: str) -> set[tuple[str, str]]:
    return {(m.actor.entity_text, m.actor.identity) for m in recogniser.recognise_text(nlp, text)}


def _identities(recogniser, nlp, text: str) -> list[str]:
    return sorted(m.actor.identity for m in recogniser.recognise_text(nlp, text))


def test_country_names_capitals_and_demonyms(recogniser, nlp) -> None:
    text = "Rabat et Bamako ont salué le travail des soldats maliens et de la police sénégalaise."
    assert _identities(recogniser, nlp, text) == ["MAR", "MLI", "MLI", "SEN"]


def test_capital_as_place_is_not_an_actor(recogniser, nlp) -> None:
    assert _identities(recogniser, nlp, "La délégation est arrivée hier à Nouakchott.") == []


def test_compound_adjective_names_both_states(recogniser, nlp) -> None:
    mentions = recogniser.recognise_text(nlp, "La coopération algéro-tunisienne se renforce.")
    assert sorted(m.actor.code for m in mentions) == ["DZA", "TUN"]
    assert {m.actor.entity_text for m in mentions} == {"algéro-tunisienne"}


def test_demonym_on_a_non_agent_noun_is_not_an_actor(recogniser, nlp) -> None:
    assert (
        _identities(
            recogniser, nlp, "La cuisine marocaine et le fleuve Niger attirent les visiteurs."
        )
        == []
    )


def test_state_organ_with_sector(recogniser, nlp) -> None:
    [mention] = recogniser.recognise_text(nlp, "La DGST a transmis le dossier.")
    assert (mention.actor.code, mention.actor.sector) == ("MAR", ("SPY",))


def test_groups_keep_their_own_identity(recogniser, nlp) -> None:
    mentions = recogniser.recognise_text(
        nlp, "Le Polisario et des éléments de Daech ont été signalés."
    )
    assert {m.actor.identity for m in mentions} == {"Front Polisario", "État islamique"}
    assert all("REB" in m.actor.sector for m in mentions)


def test_person_with_title_gets_country_sector_and_office(recogniser, nlp) -> None:
    text = (
        "Le général de brigade Karim Benali, chef d'état-major de l'armée mauritanienne, a parlé."
    )
    people = [m for m in recogniser.recognise_text(nlp, text) if m.kind == "person"]
    assert len(people) == 1
    assert people[0].actor.code == "MRT" and "MIL" in people[0].actor.sector
    assert people[0].actor.office and "chef d'état-major" in people[0].actor.office


def test_two_countries_reference_resolves_to_the_document_states(recogniser, nlp) -> None:
    text = "Le Niger et le Tchad ont tenu une réunion. Les deux pays ont signé un accord."
    references = [m for m in recogniser.recognise_text(nlp, text) if m.kind == "reference"]
    assert sorted(m.actor.code for m in references) == ["NER", "TCD"]


def test_offsets_slice_the_text(recogniser, nlp) -> None:
    text = "Selon Alger, le ministre malien de la Défense a rencontré son homologue algérien."
    for mention in recogniser.recognise_text(nlp, text):
        assert text[mention.start : mention.end] == mention.actor.entity_text


def test_measured_precision_and_recall_on_the_labelled_set() -> None:
    from actor_measure import measure

    result = measure()
    assert result.true_positives + result.false_negatives >= 150
    assert result.precision >= 0.93, result.precision
    assert result.recall >= 0.90, result.recall
