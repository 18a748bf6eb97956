from __future__ import annotations

import json

from veille.evaluate import event_key, load_gold, load_predictions, score

GOLD = [
    json.dumps(
        {
            "doc": "a.txt",
            "events": [
                {"event": "AID", "participants": ["MAR", "MLI"], "optional": False},
                {"event": "CONSULT", "participants": ["MAR", "Front Polisario"], "optional": False},
                {"event": "ASSAULT", "participants": ["FRA"], "optional": True},
            ],
        }
    ),
    json.dumps(
        {"doc": "b.txt", "events": [{"event": "COOPERATE", "participants": ["MAR", "NLD"]}]}
    ),
]


def _pred(doc_path: str, event: str, actors: list[dict], recipients: list[dict]) -> str:
    return json.dumps(
        {"doc_path": doc_path, "event": event, "actor": actors, "recipient": recipients}
    )


def _state(code: str) -> dict:
    return {"code": code, "sector": ["GOV"], "name": code, "entity_text": code}


POLISARIO = {
    "code": "ESH",
    "sector": ["REB"],
    "name": "Front Polisario",
    "entity_text": "le Polisario",
}


def test_identity_is_code_for_states_and_name_for_groups() -> None:
    record = json.loads(_pred("x/a.txt", "CONSULT", [_state("MAR")], [POLISARIO]))
    assert event_key(record) == ("CONSULT", frozenset({"MAR", "Front Polisario"}))


def test_micro_scores_with_optional_keys_and_repeats() -> None:
    predictions = [
        _pred("corpus/a.txt", "AID", [_state("MAR")], [_state("MLI")]),
        _pred("corpus/a.txt", "AID", [_state("MLI")], [_state("MAR")]),  # same key: counts once
        _pred("corpus/a.txt", "ASSAULT", [_state("FRA")], []),  # optional: not a false positive
        _pred("corpus/a.txt", "SUPPORT", [_state("MAR")], [_state("MLI")]),  # false positive
        _pred("corpus/zzz.txt", "AID", [_state("MAR")], [_state("MLI")]),  # not in gold: ignored
    ]
    result = score(load_gold(GOLD), load_predictions(predictions))
    assert (result.true_positives, result.false_positives, result.false_negatives) == (1, 1, 2)
    assert result.precision == 0.5 and result.recall == 1 / 3
    assert abs(result.f1 - 0.4) < 1e-9
    assert result.unmatched_predictions == ["zzz.txt"]
    misses = {d.doc: d.misses for d in result.documents}
    assert misses["b.txt"] == {("COOPERATE", frozenset({"MAR", "NLD"}))}


def test_name_variants_count_as_their_canonical_name_on_both_sides() -> None:
    from veille.evaluate import load_names

    names = load_names({"Front Polisario": ["polisario", "frente polisario"]})
    gold = [
        json.dumps(
            {"doc": "c.txt", "events": [{"event": "ASSAULT", "participants": ["Polisario", "MAR"]}]}
        )
    ]
    spanish = {"code": "ESH", "sector": ["REB"], "name": "Frente Polisario", "entity_text": "x"}
    predictions = [_pred("c.txt", "ASSAULT", [spanish], [_state("MAR")])]
    assert score(load_gold(gold), load_predictions(predictions)).true_positives == 0
    result = score(load_gold(gold, names), load_predictions(predictions, names))
    assert (result.true_positives, result.false_positives) == (1, 0)


def test_counts_per_type_and_confusions() -> None:
    from veille.evaluate import by_type, confusions

    predictions = [
        _pred("a.txt", "AID", [_state("MAR")], [_state("MLI")]),  # right
        _pred("a.txt", "SUPPORT", [_state("MAR")], [POLISARIO]),  # parties of a miss, wrong type
        _pred("b.txt", "AID", [_state("MAR")], [_state("NLD")]),  # parties of a miss, wrong type
    ]
    result = score(load_gold(GOLD), load_predictions(predictions))
    types = by_type(result)
    assert (types["AID"].true_positives, types["AID"].false_positives) == (1, 1)
    assert types["CONSULT"].false_negatives == 1 and types["SUPPORT"].false_positives == 1
    assert confusions(result) == {("CONSULT", "SUPPORT"): 1, ("COOPERATE", "AID"): 1}
