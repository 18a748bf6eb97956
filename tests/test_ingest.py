from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from veille.ingest import IngestError, read_documents
from veille.model import Document

ARTICLE = (
    "Rabat, 3 mars 2025 – Le Maroc et le Niger ont signé un accord de coopération sécuritaire.\n"
)


def _read(paths: list[str], **kwargs: object) -> tuple[list[Document], list[IngestError]]:
    docs, errors = [], []
    for item in read_documents(paths, **kwargs):
        (errors if isinstance(item, IngestError) else docs).append(item)
    return docs, errors


def test_text_file_keeps_text_path_and_content_hash(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    [doc], errors = _read([str(path)])
    assert not errors
    assert doc.text == ARTICLE
    assert doc.doc_path == str(path)
    assert doc.doc_id == Document.content_id(ARTICLE)
    assert doc.source_format == "txt"


def test_publication_date_from_option_when_no_metadata(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Le Maroc a salué la décision du Mali.\n", encoding="utf-8")
    [doc], _ = _read([str(path)], published=date(2024, 5, 2))
    assert doc.published == date(2024, 5, 2)


def test_publication_date_detected_in_dateline(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    [doc], _ = _read([str(path)])
    assert doc.published == date(2025, 3, 3)


def test_latin1_and_cp1252_are_decoded(tmp_path: Path) -> None:
    text = "Le ministère de la Défense malien a reçu une délégation « française » à Bamako.\n"
    for encoding in ("latin-1", "cp1252"):
        path = tmp_path / f"{encoding}.txt"
        path.write_bytes(text.replace("«", '"').replace("»", '"').encode(encoding))
        [doc], errors = _read([str(path)])
        assert not errors
        assert "ministère de la Défense" in doc.text


def test_bom_and_crlf_are_normalised(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffPremière ligne.\r\nDeuxième ligne.\r\n".encode())
    [doc], _ = _read([str(path)])
    assert doc.text == "Première ligne.\nDeuxième ligne.\n"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"   \n\n", "empty file"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 binary", "binary file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary file"),
        (bytes(range(256)) * 20, "binary"),
    ],
)
def test_bad_files_give_one_line_error_naming_the_file(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    good = tmp_path / "good.txt"
    good.write_text(ARTICLE, encoding="utf-8")
    docs, errors = _read([str(tmp_path)])
    assert [d.doc_path for d in docs] == [str(good)]
    [error] = errors
    assert str(bad) in str(error) and reason in str(error)
    assert "\n" not in str(error)


def test_directory_is_walked_recursively_and_sorted(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text(ARTICLE + "b", encoding="utf-8")
    (tmp_path / "1.txt").write_text(ARTICLE + "a", encoding="utf-8")
    (tmp_path / "notes.md").write_text("ignored", encoding="utf-8")
    docs, errors = _read([str(tmp_path)])
    assert not errors
    assert [d.doc_path for d in docs] == [str(tmp_path / "1.txt"), str(tmp_path / "b" / "2.txt")]


def test_symlink_loop_does_not_hang(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    os.symlink(tmp_path, tmp_path / "loop")
    docs, _ = _read([str(tmp_path)])
    assert len(docs) == 1


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    _, [error] = _read([str(tmp_path / "nope.txt")])
    assert "no such file" in str(error)


def test_html_main_text_and_metadata(tmp_path: Path) -> None:
    html = """<html><head><title>Accord Maroc-Niger</title>
    <meta name="author" content="Jeanne Dupont">
    <meta property="article:published_time" content="2025-03-12T10:00:00Z">
    <link rel="canonical" href="https://example.org/accord"></head>
    <body><nav><a href="/">Accueil</a> | <a href="/monde">Monde</a></nav>
    <article><h1>Accord Maroc-Niger</h1>
    <p>Le Maroc et le Niger ont signé mardi à Niamey un accord de coopération dans le domaine
    de la sécurité et de la lutte contre le terrorisme, a annoncé le ministère nigérien.</p>
    <p>Les deux pays s'engagent à échanger des informations sur les groupes armés actifs
    dans la région du Liptako-Gourma, selon le texte consulté par notre rédaction.</p></article>
    <script>alert(1)</script><footer>© 2025 Exemple</footer></body></html>"""
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    [doc], errors = _read([str(path)])
    assert not errors
    assert "signé mardi à Niamey" in doc.text
    assert "alert(1)" not in doc.text and "Accueil" not in doc.text
    assert doc.title == "Accord Maroc-Niger"
    assert doc.author == "Jeanne Dupont"
    assert doc.url == "https://example.org/accord"
    assert doc.published == date(2025, 3, 12)


def test_html_without_body_text_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text("<html><head><script>x()</script></head></html>", encoding="utf-8")
    _, [error] = _read([str(path)])
    assert str(path) in str(error)


def test_jsonl_lines_become_documents_and_bad_lines_errors(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    lines = [
        json.dumps(
            {"text": ARTICLE, "url": "https://e.org/1", "published": "2025-03-04", "title": "T"}
        ),
        "{broken json",
        json.dumps({"title": "no text"}),
        json.dumps({"text": 42}),
        "",
        json.dumps(
            {"html": "<html><body><article><p>" + ARTICLE * 3 + "</p></article></body></html>"}
        ),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    docs, errors = _read([str(path)])
    assert [d.doc_path for d in docs] == [f"{path}#L1", f"{path}#L6"]
    assert docs[0].published == date(2025, 3, 4) and docs[0].url == "https://e.org/1"
    assert [e.path for e in errors] == [f"{path}#L2", f"{path}#L3", f"{path}#L4"]
    assert "broken JSON" in str(errors[0]) and "neither 'text' nor 'html'" in str(errors[1])
    assert "must be a string" in str(errors[2])


def test_oversized_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    from veille.ingest import MAX_FILE_BYTES

    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk or memory used
    _, [error] = _read([str(path)])
    assert "file too large" in str(error) and str(path) in str(error)


def test_odd_file_names_are_read_and_named_as_given(tmp_path: Path) -> None:
    path = tmp_path / "dépêche «urgent» #1 (copie).txt"
    path.write_text(ARTICLE, encoding="utf-8")
    [doc], errors = _read([str(path)])
    assert not errors and doc.doc_path == str(path)


def test_one_megabyte_single_line_and_mixed_line_ends(tmp_path: Path) -> None:
    long_line = ("Le Niger et le Tchad coopèrent. " * 33000)[:1_000_000]
    path = tmp_path / "long.txt"
    path.write_bytes((long_line + "\r\nFin.\rAutre.\n").encode())
    [doc], _ = _read([str(path)])
    assert doc.text.count("\n") == 3 and "\r" not in doc.text
    assert len(doc.text) == 1_000_000 + len("\nFin.\nAutre.\n")
