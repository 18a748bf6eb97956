"""Stage 1: read files, HTML pages and JSONL feeds into ``Document`` objects.

Every failure is an ``IngestError`` naming the file and the reason in one line;
one bad file never stops the others (``read_documents`` yields the error and
goes on).
"""

from __future__ import annotations

import json
import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import charset_normalizer

from veille.model import Document

SUPPORTED_SUFFIXES = frozenset({".txt", ".html", ".htm", ".jsonl"})
#: Larger inputs are refused rather than risk exhausting memory on one file.
MAX_FILE_BYTES = 64 * 1024 * 1024
#: Share of control characters above which bytes are taken for a binary file.
MAX_CONTROL_SHARE = 0.02
BINARY_SIGNATURES = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"PK\x03\x04", b"\x7fELF")


class IngestError(Exception):
    """A file (or a line of a JSONL file) that cannot be read; ``str()`` is one line."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{printable_path(path)}: {reason}")
        self.path = path
        self.reason = reason


#: Control characters, line and paragraph separators, undecodable bytes (lone surrogates).
_UNPRINTABLE_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def unicode_path(path: str) -> str:
    """``path`` as valid Unicode: bytes of a file name that are not UTF-8 (which Python keeps
    as lone surrogates) become ``\\xNN``, so the name can be stored and written as JSON."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        pass
    try:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that no file-name byte gives (from argv)
        return path.encode("utf-8", "backslashreplace").decode("utf-8")


def printable_path(path: str) -> str:
    """``path`` with line breaks, control characters and undecodable bytes escaped, so that
    an error about a file named ``"a\\nb.txt"`` still fits on one line and prints anywhere."""
    return "".join(
        ch.encode("unicode_escape").decode("ascii")
        if unicodedata.category(ch) in _UNPRINTABLE_CATEGORIES
        else ch
        for ch in unicode_path(path)
    )


@dataclass(frozen=True, slots=True)
class _Metadata:
    title: str | None = None
    author: str | None = None
    url: str | None = None
    published: date | None = None
    language: str | None = None


def iter_input_files(paths: Iterable[str]) -> Iterator[str | IngestError]:
    """Expand files and directories (recursively, sorted) into supported file paths.

    Paths found under a directory are joined to the directory exactly as given,
    so ``doc_path`` reads the way the user typed it.
    """
    for given in paths:
        if os.path.isdir(given):
            yield from _walk(given)
        elif os.path.exists(given):
            yield given
        else:
            yield IngestError(given, "no such file or directory")


def _walk(root: str) -> Iterator[str | IngestError]:
    # os.walk skips folders it cannot list unless told; they are reported instead.
    unreadable: list[OSError] = []
    # followlinks=False: a symlink loop cannot make the walk run forever.
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False, onerror=unreadable.append):
        while unreadable:
            yield _walk_error(unreadable.pop(0))
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            if Path(name).suffix.lower() in SUPPORTED_SUFFIXES:
                yield os.path.join(dirpath, name)
    for error in unreadable:
        yield _walk_error(error)


def _walk_error(error: OSError) -> IngestError:
    return IngestError(str(error.filename), f"cannot list folder: {error.strerror or error}")


def read_documents(
    paths: Iterable[str], published: date | None = None
) -> Iterator[Document | IngestError]:
    """Yield every document under ``paths``; unreadable inputs are yielded as errors."""
    for item in iter_input_files(paths):
        if isinstance(item, IngestError):
            yield item
            continue
        try:
            yield from read_file(item, published=published)
        except IngestError as error:
            yield error


def read_file(path: str, published: date | None = None) -> Iterator[Document | IngestError]:
    """Read one file.

    Raises ``IngestError`` for the whole file; yields one for a bad JSONL line.
    """
    suffix = Path(path).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestError(
            path,
            f"unsupported file type {suffix or '(none)'}; expected .txt, .html, .htm or .jsonl",
        )
    text = decode(read_bytes(path), path)
    doc_path = unicode_path(path)
    if suffix == ".jsonl":
        yield from _read_jsonl(doc_path, text, published)
    elif suffix in (".html", ".htm"):
        yield _document_from_html(doc_path, text, published)
    else:
        yield _document_from_text(doc_path, text, "txt", _Metadata(), published)


def read_bytes(path: str) -> bytes:
    try:
        status = os.stat(path)
        if stat.S_ISDIR(status.st_mode):
            raise IngestError(path, "is a directory")
        # Opening a named pipe would wait for a writer forever; devices never end.
        if not stat.S_ISREG(status.st_mode):
            raise IngestError(path, "not a regular file (pipe, socket or device)")
        if status.st_size > MAX_FILE_BYTES:
            raise IngestError(
                path, f"file too large ({status.st_size} bytes, limit {MAX_FILE_BYTES})"
            )
        with open(path, "rb") as handle:
            return handle.read()
    except PermissionError:
        raise IngestError(path, "permission denied") from None
    except OSError as error:
        raise IngestError(path, f"cannot read: {error.strerror or error}") from None


def decode(data: bytes, path: str) -> str:
    """Decode bytes as UTF-8 (BOM allowed), else the detected encoding; refuse binary data."""
    if not data.strip():
        raise IngestError(path, "empty file")
    if data.startswith(BINARY_SIGNATURES):
        raise IngestError(path, "binary file (PDF, image, archive or executable), not text")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        best = charset_normalizer.from_bytes(data).best()
        if best is None:
            raise IngestError(path, "binary or undecodable content, not text") from None
        text = str(best)
    if _control_share(text) > MAX_CONTROL_SHARE:
        raise IngestError(path, "binary content (control characters), not text")
    # One convention for line ends so offsets mean the same thing on every platform.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _control_share(text: str) -> float:
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f\v")
    return controls / max(len(sample), 1)


def _document_from_text(
    doc_path: str,
    text: str,
    source_format: str,
    meta: _Metadata,
    published: date | None,
) -> Document:
    if not text.strip():
        raise IngestError(doc_path, "no text after extraction")
    return Document(
        doc_id=Document.content_id(text),
        doc_path=doc_path,
        text=text,
        source_format=source_format,  # type: ignore[arg-type]
        title=meta.title,
        author=meta.author,
        url=meta.url,
        published=meta.published or published or publication_date(text, meta.language),
        language=meta.language,
    )


def _document_from_html(doc_path: str, html: str, published: date | None) -> Document:
    text, meta = extract_html(html, doc_path)
    return _document_from_text(doc_path, text, "html", meta, published)


def html_document(doc_path: str, html: str, published: date | None = None) -> Document:
    """A web page's main text and metadata as a ``Document``, as for an ``.html`` file
    (``veille.watch`` reads the pages it fetches with it); ``IngestError`` if it has none."""
    return _document_from_html(doc_path, html, published)


def extract_html(html: str, doc_path: str) -> tuple[str, _Metadata]:
    """Main text and metadata of a web page, with trafilatura tuned for precision."""
    import trafilatura

    try:
        result = trafilatura.bare_extraction(
            html, favor_precision=True, include_comments=False, with_metadata=True
        )
    except Exception as error:  # trafilatura raises many parser-specific types
        raise IngestError(doc_path, f"broken HTML ({type(error).__name__})") from None
    if result is None or not (result.text or "").strip():
        raise IngestError(doc_path, "no main text found in HTML")
    return result.text, _Metadata(
        title=result.title,
        author=result.author,
        url=result.url,
        published=_parse_iso_date(result.date),
        language=result.language,
    )


def _read_jsonl(path: str, text: str, published: date | None) -> Iterator[Document | IngestError]:
    for line_number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        doc_path = f"{path}#L{line_number}"
        try:
            yield _document_from_record(doc_path, _parse_record(line, doc_path), published)
        except IngestError as error:
            yield error


def _parse_record(line: str, doc_path: str) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise IngestError(doc_path, f"broken JSON ({error.msg} at column {error.colno})") from None
    except RecursionError:  # "[[[[…" thousands deep: the decoder recurses once per level
        raise IngestError(doc_path, "broken JSON (nested too deeply)") from None
    if not isinstance(record, dict):
        raise IngestError(doc_path, "JSON line is not an object")
    return record


def _document_from_record(
    doc_path: str, record: dict[str, Any], published: date | None
) -> Document:
    for key in ("text", "html", "url", "title", "published", "language"):
        if record.get(key) is not None and not isinstance(record[key], str):
            raise IngestError(doc_path, f"field '{key}' must be a string")
    # JSON may escape half of a character ("\\ud83d" alone), which no UTF-8 text can hold:
    # each becomes U+FFFD, one character for one, so offsets into the text stay true.
    record = {
        key: _LONE_SURROGATE.sub("\ufffd", value) if isinstance(value, str) else value
        for key, value in record.items()
    }
    meta = _Metadata(
        title=record.get("title"),
        url=record.get("url"),
        published=_parse_iso_date(record.get("published")),
        language=record.get("language"),
    )
    if record.get("text"):
        return _document_from_text(doc_path, record["text"], "jsonl", meta, published)
    if record.get("html"):
        text, html_meta = extract_html(record["html"], doc_path)
        merged = _Metadata(
            title=meta.title or html_meta.title,
            author=html_meta.author,
            url=meta.url or html_meta.url,
            published=meta.published or html_meta.published,
            language=meta.language or html_meta.language,
        )
        return _document_from_text(doc_path, text, "jsonl", merged, published)
    raise IngestError(doc_path, "record has neither 'text' nor 'html'")


def _parse_iso_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def publication_date(text: str, language: str | None = None) -> date | None:
    """The publication date a page states near its top ("Publié le 3 mars 2025"), read with
    the words of ``language`` if known, else of each language Veille codes in turn."""
    from veille.dates import detect_publication_date
    from veille.lang import DEFAULT_LANGUAGE, coded_languages

    languages = dict.fromkeys([language or DEFAULT_LANGUAGE, *coded_languages()])
    for candidate in languages:
        if candidate in coded_languages():
            found = detect_publication_date(text, language=candidate)
            if found is not None:
                return found
    return None
