"""Property tests (issue 7.5): the cleaner, the date resolver and the reading of any bytes.

Example counts come from the hypothesis profile (``HYPOTHESIS_PROFILE``, registered in
conftest.py): "ci" for ``make test``, "soak" for ``make soak``.
"""

from __future__ import annotations

import datetime
import json
import unicodedata
from functools import cache
from pathlib import Path

import pytest
import reliability_report
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from veille.clean import EXPECTED_LANGUAGES, Cleaner
from veille.dates import detect_publication_date, find_dates, resolve_date
from veille.ingest import SUPPORTED_SUFFIXES, IngestError, read_documents
from veille.lang import language_yaml
from veille.model import Document
from veille.pipeline import Pipeline

pytestmark = pytest.mark.reliability

#: Characters that end a line for someone reading an error message.
LINE_BREAKS = set("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")


@cache
def cleaner() -> Cleaner:
    return Cleaner()


def document(text: str, path: str = "fuzz.txt") -> Document:
    return Document(Document.content_id(text), path, text, "txt")


# -- the cleaner ---------------------------------------------------------------------------

ARTICLE_LINES = [
    "Le Maroc et la Mauritanie ont signé un accord de coopération sécuritaire à Rabat.",
    "Les deux pays s'engagent à échanger des informations sur les groupes armés.",
    "El ministro del Interior español recibió a su homólogo marroquí en Madrid.",
    "The two countries agreed to share intelligence on armed groups in the Sahel.",
    "وقع المغرب وموريتانيا اتفاقية للتعاون الأمني",
    "Lire aussi : Le Niger et le Tchad renforcent leur coopération",
    "Partager sur Facebook",
    "Photo d'illustration.",
    "© 2025 Exemple. Tous droits réservés.",
    "Commentaires (3)",
    "Abonnez-vous !",
    "Retour en haut",
    "(AFP)",
]
WHITESPACE = [" ", "\t", "\n", "\n\n", "\r\n", "\r", "\u00a0", "\u2028", "\u3000", "\x85", "\f"]
any_text = st.lists(
    st.one_of(st.text(max_size=80), st.sampled_from(ARTICLE_LINES), st.sampled_from(WHITESPACE)),
    max_size=30,
).map("".join)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(text=any_text)
def test_cleaner_paragraphs_are_exact_slices_and_reasons_consistent(text: str) -> None:
    reliability_report.add("texts_cleaned")
    clean = cleaner().clean(document(text))
    assert clean.document.text == text
    previous_end = 0
    for paragraph in clean.paragraphs:
        # Offsets are exact, in order, never overlapping, and the slice is a stripped line.
        assert previous_end <= paragraph.start < paragraph.end <= len(text)
        assert text[paragraph.start : paragraph.end] == paragraph.text
        assert paragraph.text == paragraph.text.strip() and "\n" not in paragraph.text
        previous_end = paragraph.end
        # Kept exactly when there is no reason to drop; a reason says which rule dropped it.
        assert paragraph.kept == (paragraph.reason is None)
        if paragraph.reason is not None:
            kind, _, name = paragraph.reason.partition(":")
            assert kind in ("boilerplate", "language") and name
        assert paragraph.language in EXPECTED_LANGUAGES
    # Nothing but white space falls between the paragraphs: no text is silently lost.
    covered = [False] * len(text)
    for paragraph in clean.paragraphs:
        covered[paragraph.start : paragraph.end] = [True] * (paragraph.end - paragraph.start)
    assert all(ch.isspace() for ch, seen in zip(text, covered, strict=True) if not seen)


# -- the date resolver ---------------------------------------------------------------------

_DATES = language_yaml("fr", "dates.yaml")
DATE_WORDS = sorted(
    {
        *_DATES["months"],
        *_DATES["month_abbreviations"],
        *(f"{word}." for word in _DATES["month_abbreviations"]),
        *_DATES["weekdays"],
        *_DATES["past_markers"],
        *_DATES["future_markers"],
        *_DATES["relative_days"],
        *_DATES["relative_months"],
        *_DATES["relative_years"],
        *_DATES["relative_weeks"],
        _DATES["ago_prefix"],
        *_DATES["ago_units"],
        *_DATES["year_context"],
        *_DATES["month_context"],
        *_DATES["range_separators"],
        *_DATES["publication_markers"],
        *_DATES["update_markers"],
        *["1er", "premier", "trois", "vingt", "cent", "mille", "deux cents", "Publié le"],
    }
)
date_piece = st.one_of(
    st.sampled_from(DATE_WORDS),
    st.sampled_from(DATE_WORDS).map(str.upper),
    st.integers(0, 10**6).map(str),
    st.integers(0, 99).map(lambda n: f"{n:02d}"),
    st.sampled_from(list(" /.-–,:'’()\n\u00a0")),
    st.text(max_size=3),
)
date_text = st.lists(date_piece, max_size=16).map(" ".join)
#: Publication dates of the press, give or take; the resolver must hold outside them too.
REALISTIC = st.dates(datetime.date(1950, 1, 1), datetime.date(2100, 12, 31))
#: Explicit dates are read only within these years (bare years 1900..2100 by design).
EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2100, 12, 31)


def sane_bounds(published: datetime.date | None) -> tuple[datetime.date, datetime.date]:
    """Where a resolved date may lie: the years the resolver reads, or a century before
    publication ("il y a cent ans") up to a year after it ("l'an prochain")."""
    if published is None:
        return EARLIEST, LATEST
    return (
        min(EARLIEST, published - datetime.timedelta(days=100 * 366)),
        max(LATEST, published + datetime.timedelta(days=366)),
    )


@given(text=date_text, published=st.one_of(st.none(), REALISTIC))
def test_resolved_dates_are_valid_and_within_sane_bounds(
    text: str, published: datetime.date | None
) -> None:
    reliability_report.add("date_strings")
    earliest, latest = sane_bounds(published)
    for mention in find_dates(text, published):
        resolved = mention.date
        assert isinstance(resolved.value, datetime.date)
        assert earliest <= resolved.value <= latest, (resolved, published)
        assert resolved.precision in ("day", "month", "year")
        assert text[mention.start : mention.end] == resolved.text
        if resolved.precision != "day":  # a month or a year is stored as its first day
            assert resolved.value.day == 1
        if resolved.precision == "year":
            assert resolved.value.month == 1
        assert resolved.iso[:4] == f"{resolved.value.year:04d}"
    found = detect_publication_date(text)
    assert found is None or EARLIEST <= found <= LATEST


@given(expression=st.one_of(date_text, st.text()), published=st.one_of(st.none(), st.dates()))
def test_date_resolver_never_raises_on_any_string_and_reference(
    expression: str, published: datetime.date | None
) -> None:
    # Any reference date, datetime.date.min and .max included: "demain" after 31/12/9999
    # has no date, it must not raise.
    reliability_report.add("date_strings")
    resolved = resolve_date(expression, published)
    assert resolved is None or isinstance(resolved.value, datetime.date)


# -- reading any bytes ---------------------------------------------------------------------

SAMPLE = "Rabat, 3 mars 2025 – Le Maroc et le Niger ont signé un accord de sécurité.\n"
ENCODINGS = ["utf-8", "utf-8-sig", "latin-1", "cp1252", "utf-16", "utf-32", "mac_roman"]
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=40)
    | st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), max_size=2),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
json_records = st.fixed_dictionaries(
    {},
    optional={
        key: st.one_of(json_values, st.just(SAMPLE))
        for key in ("text", "html", "url", "title", "published", "language")
    },
)


@st.composite
def file_bytes(draw: st.DrawFn) -> bytes:
    """Random bytes, text in many encodings, damaged text, markup and feeds."""
    kind = draw(st.sampled_from(["bytes", "text", "damaged", "html", "jsonl"]))
    if kind == "bytes":
        return draw(st.binary(max_size=4096))
    if kind == "text":
        text = draw(st.one_of(any_text, st.just(SAMPLE)))
        encoding = draw(st.sampled_from(ENCODINGS))
        return text.encode(encoding, errors="replace")
    if kind == "damaged":
        data = bytearray(draw(any_text).encode("utf-8"))
        for _ in range(draw(st.integers(0, 8))):
            data.insert(draw(st.integers(0, len(data))), draw(st.integers(0, 255)))
        return bytes(data[: draw(st.integers(0, len(data)))])  # truncated anywhere
    if kind == "html":
        body = draw(any_text)
        tags = draw(st.lists(st.sampled_from(["<p>", "</p>", "<script>", "<iframe>", "<"])))
        page = f"<html><head><title>{draw(st.text(max_size=20))}</title></head><body>"
        page += "".join(tags) + f"<article><p>{body}</p></article>"
        return page[: draw(st.integers(0, len(page)))].encode("utf-8", errors="replace")
    ascii_only = draw(st.booleans())
    line = st.one_of(
        st.one_of(json_records, json_values).map(lambda v: json.dumps(v, ensure_ascii=ascii_only)),
        st.text(max_size=60),  # broken JSON
        st.integers(1, 20_000).map(lambda depth: "[" * depth),  # nested past the recursion limit
    )
    text = "\n".join(draw(st.lists(line, max_size=5)))
    return text.encode("utf-8", errors="surrogatepass")  # lone surrogates kept as bytes


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(data=file_bytes(), suffix=st.sampled_from(sorted(SUPPORTED_SUFFIXES)))
def test_reading_any_bytes_yields_documents_or_one_line_errors(
    fuzz_dir: Path, data: bytes, suffix: str
) -> None:
    reliability_report.add("files_tried")
    path = fuzz_dir / f"input{suffix}"
    path.write_bytes(data)
    for item in read_documents([str(path)]):
        if isinstance(item, IngestError):
            # The error names the file (or the feed line) and fits on one line.
            assert item.path == str(path) or item.path.startswith(f"{path}#L")
            assert str(item).startswith(f"{item.path}: ") and item.reason
            assert not LINE_BREAKS & set(str(item)), repr(str(item))
            continue
        assert isinstance(item, Document)
        assert item.doc_path == str(path) or item.doc_path.startswith(f"{path}#L")
        assert item.text.strip() and item.doc_id == Document.content_id(item.text)
        assert "\r" not in item.text or suffix == ".jsonl"  # files get one line-end convention
        # Storable: no lone surrogate, which no UTF-8 database text can hold.
        assert not any(unicodedata.category(ch) == "Cs" for ch in item.text)
        item.text.encode("utf-8")


# -- the whole coder on any text -----------------------------------------------------------

PIPELINE_EXAMPLES = max(10, settings.default.max_examples // 5)  # ~0.1 s per document


@settings(max_examples=PIPELINE_EXAMPLES, suppress_health_check=[HealthCheck.too_slow])
@given(text=any_text.filter(str.strip), published=st.one_of(st.none(), st.dates()))
def test_coding_any_text_never_raises_and_evidence_offsets_hold(
    pipeline: Pipeline, text: str, published: datetime.date | None
) -> None:
    # One odd article must not stop a run: every stage takes any text.
    reliability_report.add("texts_coded")
    doc = Document(Document.content_id(text), "fuzz.txt", text, "txt", published=published)
    result = pipeline.process(doc)
    for mention in result.mentions:
        assert 0 <= mention.start < mention.end <= len(text)
    for event in result.events:
        assert text[event.start : event.end] == event.event_text
        json.dumps(event.to_json())
