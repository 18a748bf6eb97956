"""Bad input through the `veille` command (issue 7.1).

Every case runs ``veille ingest`` and ``veille extract`` on a folder that holds the bad input
next to good files, and checks the contract: one stderr line naming the bad file and the
reason, every good file still coded (and stored, for ingest), exit code 1.
Cases already covered at the reader level (empty files, Latin-1, CP1252, BOM, CRLF, a 1 MB
line, symlink loops in a folder) are in ``test_ingest.py``.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
import reliability_report
from typer.testing import CliRunner

from veille.ingest import MAX_FILE_BYTES, printable_path
from veille.model import Document

pytestmark = pytest.mark.reliability
runner = CliRunner()

#: Two good inputs that each give an event, so "coded" can be checked on extract's output.
GOOD_TEXT = "Le Maroc et la Mauritanie ont signé un accord de sécurité à Rabat.\n"
GOOD_LINE = {"text": "Le Niger et le Tchad ont signé un accord de défense à Niamey.", "title": "T"}
HUGE_BYTES = 200 * 1024 * 1024


@dataclass
class Outcome:
    exit_code: int
    errors: list[str]  # stderr lines that report an error
    coded: set[str]  # doc_path of every document coded (extract) or stored (ingest)


def run(command: str, paths: list[str], tmp_path: Path) -> Outcome:
    """Run ``veille ingest`` or ``veille extract`` and collect what the user would see."""
    from veille.cli import app

    reliability_report.add("files_tried", sum(count_files(path) for path in paths))
    if command == "ingest":
        db = tmp_path / "out.duckdb"
        db.unlink(missing_ok=True)
        result = runner.invoke(app, ["ingest", *paths, "--db", str(db)])
        with duckdb.connect(str(db), read_only=True) as connection:
            rows = connection.execute("SELECT doc_path FROM documents").fetchall()
        coded = {path for (path,) in rows}
    else:
        out = tmp_path / "out.jsonl"
        result = runner.invoke(app, ["extract", *paths, "-o", str(out)])
        lines = out.read_text(encoding="utf-8").splitlines() if out.exists() else []
        coded = {json.loads(line)["doc_path"] for line in lines}
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error ")]
    return Outcome(result.exit_code, errors, coded)


def count_files(path: str) -> int:
    if not os.path.isdir(path):
        return 1
    return sum(len(files) + len(folders) for _, folders, files in os.walk(path))


def write_good_files(folder: Path) -> set[str]:
    """A good text file and a good JSONL line; returns the doc_paths they get."""
    folder.mkdir(exist_ok=True)
    (folder / "good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (folder / "good.jsonl").write_text(json.dumps(GOOD_LINE) + "\n", encoding="utf-8")
    return {str(folder / "good.txt"), f"{folder / 'good.jsonl'}#L1"}


def assert_one_error_per_bad_file(
    outcome: Outcome, bad: dict[str, str], good: set[str], command: str
) -> None:
    """``bad`` maps each bad path (as given) to a word its reason must contain."""
    assert outcome.exit_code == 1, outcome
    assert len(outcome.errors) == len(bad), outcome.errors
    for path, reason in bad.items():
        [line] = [e for e in outcome.errors if f" {printable_path(path)}: " in e]
        assert reason in line, line
    assert good <= outcome.coded, (command, outcome)
    assert not outcome.coded & set(bad)


# -- one bad file in a folder of good ones ------------------------------------------------


def huge_text_file(path: Path) -> None:
    # A real text start, then a sparse tail: 200 MB on paper, next to nothing on disk.
    with path.open("wb") as handle:
        handle.write(GOOD_TEXT.encode() * 1000)
        handle.truncate(HUGE_BYTES)


def pdf(path: Path) -> None:
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n")


def png(path: Path) -> None:
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))


def random_bytes(path: Path) -> None:
    path.write_bytes(random.Random(7).randbytes(8192))


def html_without_body(path: Path) -> None:
    path.write_text(
        "<html><head><title>Accueil</title><script>var x = 'Le Maroc et le Mali ont signé "
        "un accord de sécurité.';</script><style>p { color: red }</style></head>"
        '<iframe src="https://example.org/embed"></iframe>'
        "<script>document.write('<p>Le Niger et le Tchad ont signé un accord.</p>')</script>"
        "</html>",
        encoding="utf-8",
    )


def html_truncated_in_head(path: Path) -> None:
    path.write_text('<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><tit')


def fifo(path: Path) -> None:
    # Fails as root too: opening a pipe for reading would wait for a writer forever.
    os.mkfifo(path)


def dangling_symlink(path: Path) -> None:
    os.symlink(path.parent / "gone-for-good.txt", path)


def self_symlink(path: Path) -> None:
    os.symlink(path.name, path)


BAD_FILES: dict[str, tuple[str, Callable[[Path], None], str]] = {
    # id: (file name, how to make it, word of the reason)
    # The 200 MB file is refused before it is read (MAX_FILE_BYTES): a file that size is no
    # article but a dump; reading it whole would take gigabytes once parsed, and cutting it
    # into pieces would give documents whose offsets and content hash belong to no article.
    "200MB": ("huge.txt", huge_text_file, "file too large"),
    "pdf": ("scan.txt", pdf, "binary file"),
    "png": ("photo.html", png, "binary file"),
    "random bytes": ("noise.txt", random_bytes, "binary"),
    "html scripts, iframe, no body": ("scripts.html", html_without_body, "no main text"),
    "html truncated in head": ("cut.html", html_truncated_in_head, "no main text"),
    "named pipe": ("pipe.txt", fifo, "not a regular file"),
    "dangling symlink": ("gone.txt", dangling_symlink, "cannot read"),
    "symlink to itself": ("loop.txt", self_symlink, "cannot read"),
    "markup in name": ("[bold]scan[/bold]x.txt".replace("/", ""), pdf, "binary file"),
    "newline in name": ("two\nlines.txt", pdf, "binary file"),
}


def test_huge_file_is_larger_than_the_limit() -> None:
    assert HUGE_BYTES > MAX_FILE_BYTES  # else the 200 MB case would test nothing


@pytest.mark.parametrize("command", ["ingest", "extract"])
@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_among_good_ones(case: str, command: str, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    good = write_good_files(folder)
    name, make, reason = BAD_FILES[case]
    make(folder / name)
    outcome = run(command, [str(folder)], tmp_path)
    assert_one_error_per_bad_file(outcome, {str(folder / name): reason}, good, command)


@pytest.mark.parametrize("command", ["ingest", "extract"])
def test_unsupported_file_given_by_name(command: str, tmp_path: Path) -> None:
    # In a folder only .txt/.html/.htm/.jsonl are picked up; a file named on the command
    # line is the user's explicit wish, so its refusal is reported.
    good = write_good_files(tmp_path / "in")
    report = tmp_path / "report.pdf"
    pdf(report)
    outcome = run(command, [str(tmp_path / "in"), str(report)], tmp_path)
    assert_one_error_per_bad_file(outcome, {str(report): "unsupported file type .pdf"}, good, "")


@pytest.mark.parametrize("command", ["ingest", "extract"])
def test_jsonl_missing_fields_and_wrong_types(command: str, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    good = write_good_files(folder)
    feed = folder / "feed.jsonl"
    lines = {
        1: (json.dumps({"title": "no text", "url": "https://e.org/1"}), "neither 'text' nor"),
        2: (json.dumps({"text": 42}), "'text' must be a string"),
        3: (json.dumps({"text": ["Le Maroc a signé."]}), "'text' must be a string"),
        4: (json.dumps({"text": GOOD_TEXT, "published": 20250101}), "'published' must be"),
        5: (json.dumps({"html": {"body": "x"}}), "'html' must be a string"),
        6: (json.dumps({"text": GOOD_TEXT, "title": None, "url": False}), "'url' must be"),
        7: (json.dumps([GOOD_TEXT]), "not an object"),
        8: ("null", "not an object"),
        9: ('{"text": "Le Maroc', "broken JSON"),
        10: ("[" * 100_000, "nested too deeply"),
    }
    good_line = json.dumps({"text": "La France et le Maroc ont signé un accord à Paris."})
    feed.write_text("\n".join([*(text for text, _ in lines.values()), good_line]) + "\n")
    outcome = run(command, [str(folder)], tmp_path)
    bad = {f"{feed}#L{n}": reason for n, (_, reason) in lines.items()}
    assert_one_error_per_bad_file(outcome, bad, good | {f"{feed}#L11"}, command)


def test_jsonl_half_character_escape_is_replaced_not_fatal(tmp_path: Path) -> None:
    # "\ud83d" alone is valid JSON but no UTF-8 text: the record is kept with U+FFFD.
    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"text": "Le Maroc \\ud83d et le Mali ont signé un accord à Bamako."}\n')
    outcome = run("ingest", [str(feed)], tmp_path)
    assert outcome.exit_code == 0 and outcome.coded == {f"{feed}#L1"}, outcome
    with duckdb.connect(str(tmp_path / "out.duckdb"), read_only=True) as connection:
        [(text,)] = connection.execute("SELECT text FROM documents").fetchall()
    assert text == "Le Maroc \ufffd et le Mali ont signé un accord à Bamako."


def test_html_truncated_after_the_article_is_coded(tmp_path: Path) -> None:
    # Cut in the middle of the page: what was received is a readable article, not an error.
    page = (
        "<html><body><article><p>Le Maroc et le Niger ont signé mardi à Niamey un accord de "
        "coopération dans le domaine de la sécurité, a annoncé le ministère nigérien.</p>"
        "<p>Les deux pays échangeront des informations sur les groupes arm"
    )
    path = tmp_path / "cut.html"
    path.write_text(page, encoding="utf-8")
    outcome = run("extract", [str(path)], tmp_path)
    assert outcome.exit_code == 0 and outcome.coded == {str(path)}, outcome


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
@pytest.mark.parametrize("command", ["ingest", "extract"])
def test_unreadable_file(command: str, tmp_path: Path) -> None:
    good = write_good_files(tmp_path / "in")
    locked = tmp_path / "in" / "locked.txt"
    locked.write_text(GOOD_TEXT.replace("Rabat", "Nouakchott"), encoding="utf-8")
    locked.chmod(0)
    try:
        outcome = run(command, [str(tmp_path / "in")], tmp_path)
    finally:
        locked.chmod(0o644)
    assert_one_error_per_bad_file(outcome, {str(locked): "permission denied"}, good, command)


@pytest.mark.skipif(os.geteuid() == 0, reason="root lists folders whatever their permissions")
def test_unreadable_folder(tmp_path: Path) -> None:
    good = write_good_files(tmp_path / "in")
    locked = tmp_path / "in" / "locked"
    locked.mkdir()
    (locked / "a.txt").write_text(GOOD_TEXT, encoding="utf-8")
    locked.chmod(0)
    try:
        outcome = run("ingest", [str(tmp_path / "in")], tmp_path)
    finally:
        locked.chmod(0o755)
    assert_one_error_per_bad_file(outcome, {str(locked): "cannot list folder"}, good, "ingest")


def test_unlistable_folder_is_reported_also_as_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Root can list any folder, so the refusal is simulated where os.walk lists it.
    good = write_good_files(tmp_path / "in")
    locked = tmp_path / "in" / "locked"
    locked.mkdir()
    (locked / "a.txt").write_text(GOOD_TEXT, encoding="utf-8")
    real_scandir = os.scandir

    def scandir(path: str) -> object:
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    outcome = run("ingest", [str(tmp_path / "in")], tmp_path)
    assert_one_error_per_bad_file(outcome, {str(locked): "cannot list folder"}, good, "ingest")


# -- good files with odd names ------------------------------------------------------------


@pytest.mark.parametrize("command", ["ingest", "extract"])
def test_odd_names_are_coded_and_named(command: str, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    names = [
        "dépêche «urgent» #1 (copie) — 100% $HOME.txt",
        "[bold]markup[/bold].txt".replace("/", ""),
        "-starts-with-dash.txt",
        "two\nlines.txt",
        "tab\there 'quote' \"dq\".txt",
        "عربي.txt",
    ]
    for i, name in enumerate(names):
        (folder / name).write_text(GOOD_TEXT.replace("Rabat", f"Rabat ({i})"), encoding="utf-8")
    # A name that is not UTF-8: stored with the byte escaped, since no database or JSON
    # text can hold it raw.
    with open(os.path.join(os.fsencode(folder), b"latin1-\xe9t\xe9.txt"), "wb") as handle:
        handle.write(GOOD_TEXT.replace("Rabat", "Rabat (x)").encode())
    outcome = run(command, [str(folder)], tmp_path)
    assert outcome.exit_code == 0 and not outcome.errors, outcome
    expected = {str(folder / name) for name in names} | {str(folder / "latin1-\\xe9t\\xe9.txt")}
    assert outcome.coded == expected


def test_odd_names_keep_one_error_line_each(tmp_path: Path) -> None:
    # Two bad files whose names would break a naive error line: a newline and a byte.
    folder = tmp_path / "in"
    good = write_good_files(folder)
    pdf(folder / "a\nb.txt")
    with open(os.path.join(os.fsencode(folder), b"c\xffd.txt"), "wb") as handle:
        handle.write(b"\x89PNG\r\n\x1a\n")
    outcome = run("ingest", [str(folder)], tmp_path)
    assert outcome.exit_code == 1 and good <= outcome.coded
    assert sorted(outcome.errors) == [
        f"error {folder}/a\\nb.txt: binary file (PDF, image, archive or executable), not text",
        f"error {folder}/c\\xffd.txt: binary file (PDF, image, archive or executable), not text",
    ]


def test_every_bad_case_at_once_stores_only_the_good(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    good = write_good_files(folder)
    for name, make, _ in BAD_FILES.values():
        make(folder / name)
    outcome = run("ingest", [str(folder)], tmp_path)
    bad = {str(folder / name): reason for name, _, reason in BAD_FILES.values()}
    assert_one_error_per_bad_file(outcome, bad, good, "ingest")
    assert outcome.coded == good
    # The documents stored are whole: same text as the files, hence the same content hash.
    with duckdb.connect(str(tmp_path / "out.duckdb"), read_only=True) as connection:
        rows = connection.execute("SELECT doc_id FROM documents").fetchall()
    assert Document.content_id(GOOD_TEXT) in {doc_id for (doc_id,) in rows}
