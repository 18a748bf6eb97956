from __future__ import annotations

import csv
from pathlib import Path

import pytest

from veille.clean import Cleaner, boilerplate_reasons, default_rules, split_paragraphs
from veille.model import Document

LABELLED = Path(__file__).parent / "data" / "boilerplate_lines.tsv"


def _document(text: str) -> Document:
    return Document(Document.content_id(text), "t.txt", text, "txt")


def test_paragraphs_are_exact_slices_of_the_original() -> None:
    text = "  Titre de l'article  \n\nPremier paragraphe.\r\n   Deuxième, indenté.   \n"
    for start, end in split_paragraphs(text):
        assert text[start:end] == text[start:end].strip()
        assert text[start:end]
    assert [text[s:e] for s, e in split_paragraphs(text)] == [
        "Titre de l'article",
        "Premier paragraphe.",
        "Deuxième, indenté.",
    ]


def test_boilerplate_and_foreign_captions_are_dropped_with_reasons() -> None:
    text = (
        "Le Maroc et l'Espagne renforcent leur coopération policière contre le terrorisme.\n"
        "La Guardia Civil et la DGST ont arrêté quatre suspects à Ceuta et à Tétouan mardi.\n"
        "FOTO/ARCHIVO - La Guardia Civil durante una operación en Ceuta\n"
        "Lire aussi : Le Niger quitte le G5 Sahel\n"
        "Partager sur Facebook\n"
        "Las autoridades españolas y marroquíes mantienen una estrecha colaboración "
        "desde hace años.\n"
        "Articles similaires\n"
        "Un autre titre sans rapport avec la page...\n"
        "Laisser un commentaire\n"
    )
    clean = Cleaner().clean(_document(text))
    kept = [p.text for p in clean.kept]
    assert kept == [
        "Le Maroc et l'Espagne renforcent leur coopération policière contre le terrorisme.",
        "La Guardia Civil et la DGST ont arrêté quatre suspects à Ceuta et à Tétouan mardi.",
    ]
    reasons = {p.text[:12]: p.reason for p in clean.paragraphs if not p.kept}
    assert reasons["Las autorida"] == "language:es"
    assert reasons["Lire aussi :"] == "boilerplate:related_inline"
    assert all(p.text == text[p.start : p.end] for p in clean.paragraphs)


def test_related_block_in_the_middle_drops_only_teasers() -> None:
    lines = [
        "Premier paragraphe de l'article, long et informatif, sur la coopération militaire.",
        "À lire aussi",
        "Le Mali et le Niger créent une force conjointe...",
        "Suite de l'article : "
        + "la commission mixte s'est réunie à Niamey et a adopté un plan. " * 6,
        "Conclusion de l'article " + "avec d'autres détails sur la sécurité régionale. " * 3,
    ]
    reasons = boilerplate_reasons(lines, default_rules())
    assert reasons[0] is None and reasons[1] and reasons[2]
    assert reasons[3] is None and reasons[4] is None


def test_near_duplicates_are_flagged() -> None:
    body = " ".join(
        f"Le ministre {i} a rencontré son homologue pour discuter "
        "de la sécurité régionale au Sahel."
        for i in range(20)
    )
    cleaner = Cleaner()
    first = cleaner.clean(_document(body))
    second = cleaner.clean(_document(body + " Mise à jour : une phrase ajoutée."))
    other = cleaner.clean(
        _document("Un texte tout à fait différent sur la pêche et l'agriculture. " * 10)
    )
    assert first.near_duplicate_of is None
    assert second.near_duplicate_of == first.document.doc_id
    assert other.near_duplicate_of is None


def boilerplate_scores(name: str = LABELLED.name) -> tuple[float, float, int]:
    """Line-level precision and recall of boilerplate detection on a labelled set."""
    rules = default_rules()
    with (LABELLED.parent / name).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    tp = fp = fn = 0
    for row in rows:
        predicted = (
            rules.line_rule(row["line"]) is not None or rules.block_rule(row["line"]) is not None
        )
        actual = row["label"] == "boilerplate"
        tp += predicted and actual
        fp += predicted and not actual
        fn += actual and not predicted
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1), len(rows)


@pytest.mark.skipif(not LABELLED.exists(), reason="labelled boilerplate set not present")
def test_boilerplate_line_precision_and_recall() -> None:
    precision, recall, count = boilerplate_scores()
    assert count >= 300
    assert precision >= 0.95, precision
    assert recall >= 0.8, recall


def test_seed_captions_are_dropped_and_offsets_hold(seeds_dir: Path) -> None:
    cleaner = Cleaner()
    for path in sorted(seeds_dir.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        clean = cleaner.clean(_document(text))
        for paragraph in clean.paragraphs:
            assert text[paragraph.start : paragraph.end] == paragraph.text
        assert not any(p.kept and p.language != "fr" for p in clean.paragraphs)
