"""Date expressions in French news, resolved against the publication date.

Candidates are found with regexes built from the vocabulary of ``data/dates.yaml`` and
resolved by the small calendar functions below (dateparser was tried and dropped: it ignores
the weekday, misses "le 16 juillet dernier", invents the day of month-only dates and reads
"sa" or "la résolution 2703" as dates).

Rules, all of them honest about precision:

* a full date ("le 3 mars 2021", "3/03/2021", "2021-03-03") is that day;
* a day without a year ("le 17 février") is the most recent one not later than
  ``MARGIN_DAYS`` after publication; with a weekday ("dimanche 20 juillet") the year, among
  the publication year and its neighbours, where that day has that weekday; with "dernier"
  the most recent one before publication, with "prochain" the next one after it;
* a month ("novembre 2023", "jusqu'en juillet 2024", "en juillet") has precision "month";
* a bare 4-digit number is a year (1900..2100) only after a year word ("en 2012", "fin
  2023") or in a range ("entre 2014 et 2017", "(2020-2022)");
* relative expressions ("hier", "mardi dernier", "l'an dernier", "il y a trois jours") need
  the publication date; without it they are not reported;
* "la semaine dernière": the model has no week precision, so the week is reported as its month
  when the whole week (Monday to Sunday) lies in one month, and not reported otherwise.

When two candidate expressions overlap the longest wins, even if it cannot be resolved, so that
"dimanche 20 juillet" without a publication date never degrades into a bare "dimanche".
"""

from __future__ import annotations

import bisect
import datetime
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from veille.lexicon import fold, load_yaml
from veille.model import DateMention, DatePrecision, ResolvedDate
from veille.quantities import NUMBER_PATTERN, lower_keep_offsets, parse_count

_DATA = load_yaml("dates.yaml")

#: How far after publication a date without a year may lie ("le 25 juillet" announced on the 21st).
MARGIN_DAYS = 7
_MARGIN = datetime.timedelta(days=MARGIN_DAYS)
_FIRST_LINES = 10  # lines searched for a dateline or byline
_FIRST_CHARS = 3000
_MAX_DATELINE_PREFIX = 60  # characters allowed before a dateline's date ("RABAT, ")


def _alternation(words: Iterable[str]) -> str:
    unique = sorted(set(words), key=lambda w: (-len(w), w))
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in unique)


def _with_unaccented(table: dict[str, int]) -> dict[str, int]:
    return {**{fold(k): v for k, v in table.items()}, **table}


_MONTHS = _with_unaccented({k: int(v) for k, v in _DATA["months"].items()})
_MONTH_ABBREVIATIONS = _with_unaccented(
    {k: int(v) for k, v in _DATA["month_abbreviations"].items()}
)
_WEEKDAYS = _with_unaccented({k: int(v) for k, v in _DATA["weekdays"].items()})
_PAST = frozenset(_DATA["past_markers"])
_FUTURE = frozenset(_DATA["future_markers"])
_RELATIVE_DAYS: dict[str, int] = _DATA["relative_days"]
_RELATIVE_MONTHS: dict[str, int] = _DATA["relative_months"]
_RELATIVE_YEARS: dict[str, int] = _DATA["relative_years"]
_RELATIVE_WEEKS: dict[str, int] = _DATA["relative_weeks"]
_AGO_UNITS: dict[str, str] = _DATA["ago_units"]

_YEAR = r"(?<![\w.,])(?:19\d\d|20\d\d|2100)(?!\w)"
_DAY = r"(?<![\w.,/])(?:1er|premier|[12]\d|3[01]|0?[1-9])(?!\w)"
_MONTH = (
    rf"(?:(?:{_alternation(_MONTHS)})(?!\w)"
    rf"|(?:{_alternation(_MONTH_ABBREVIATIONS)})(?:\.|(?=\s+(?:19|20)\d\d(?!\w))))"
)
_WEEKDAY = rf"(?:{_alternation(_WEEKDAYS)})(?!\w)"
_REL = rf"(?:{_alternation(_PAST | _FUTURE)})(?!\w)"
_SEP_WORDS = [w for w in _DATA["range_separators"] if w.isalpha()]
_SEP_MARKS = [w for w in _DATA["range_separators"] if not w.isalpha()]
_SEP = rf"(?:(?:{_alternation(_SEP_WORDS)})(?!\w)|{_alternation(_SEP_MARKS)})"
_NOT_UNIT = rf"(?!\s*(?:{_alternation(_DATA['not_year_units'])})(?!\w))"


def _context(words: Iterable[str]) -> str:
    """Words that must stand right before a month or year: "en", "fin", "mi-"."""
    return rf"(?<!\w)(?:{_alternation(words)})(?:\s+|-)"


_YEAR_CONTEXT = _context(_DATA["year_context"])
_MONTH_CONTEXT = _context(_DATA["month_context"])


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int
    end: int
    priority: int  # lower wins between candidates of the same span
    value: tuple[datetime.date, DatePrecision] | None
    explicit: bool = False  # stated in full, without the publication date (datelines)


_Resolver = Callable[[re.Match[str], datetime.date | None], Iterator[_Candidate]]


# --- calendar helpers -------------------------------------------------------------------


def _safe_date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except (ValueError, OverflowError):
        return None


def _month_shift(year: int, month: int, offset: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + offset
    return index // 12, index % 12 + 1


def _day_without_year(
    month: int,
    day: int,
    published: datetime.date,
    weekday: int | None = None,
    marker: str | None = None,
) -> datetime.date | None:
    """The year of "le 17 février" / "dimanche 20 juillet" / "le 16 juillet dernier"."""
    years = range(published.year + 1, published.year - 9, -1)
    dates = [d for d in (_safe_date(y, month, day) for y in years) if d is not None]
    if marker in _PAST:
        dates = [d for d in dates if d < published]
    elif marker in _FUTURE:
        dates = [d for d in reversed(dates) if d > published]
    else:
        limit = published + _MARGIN
        dates = [d for d in dates if d <= limit]
    if weekday is not None:
        near = [d for d in dates if abs(d.year - published.year) <= 1 and d.weekday() == weekday]
        dates = near or dates
    return dates[0] if dates else None


def _month_without_year(month: int, published: datetime.date, marker: str | None) -> datetime.date:
    """The year of "en juillet" / "juillet dernier" / "en juillet prochain"."""
    this_year = datetime.date(published.year, month, 1)
    if marker in _PAST:
        return this_year if month < published.month else this_year.replace(year=published.year - 1)
    if marker in _FUTURE:
        return this_year if month > published.month else this_year.replace(year=published.year + 1)
    if this_year <= published + _MARGIN:
        return this_year
    return this_year.replace(year=published.year - 1)


def _weekday_near(weekday: int, published: datetime.date, marker: str | None) -> datetime.date:
    """ "mardi": the last Tuesday on or before publication; "dernier" before, "prochain" after."""
    if marker in _FUTURE:
        ahead = (weekday - published.weekday()) % 7 or 7
        return published + datetime.timedelta(days=ahead)
    back = (published.weekday() - weekday) % 7
    if marker in _PAST and back == 0:
        back = 7
    return published - datetime.timedelta(days=back)


def _weekday_and_day(weekday: int, day: int, published: datetime.date) -> datetime.date | None:
    """ "dimanche 20": the latest 20th that is a Sunday, within four months before publication."""
    limit = published + _MARGIN
    for back in range(5):
        year, month = _month_shift(limit.year, limit.month, -back)
        found = _safe_date(year, month, day)
        if found is not None and found <= limit and found.weekday() == weekday:
            return found
    return None


def _two_digit_year(year: int, published: datetime.date | None) -> int:
    pivot = (published.year + 1) % 100 if published else 50
    return 2000 + year if year <= pivot else 1900 + year


def _as_day(value: datetime.date | None) -> tuple[datetime.date, DatePrecision] | None:
    return (value, "day") if value else None


def _day_number(text: str) -> int:
    return 1 if text in ("1er", "premier") else int(text)


def _month_number(text: str) -> int:
    word = text.rstrip(".")
    return _MONTHS.get(word) or _MONTH_ABBREVIATIONS[word]


# --- resolvers: one per pattern, each yields candidates ---------------------------------


def _full_or_partial_day(
    match: re.Match[str], published: datetime.date | None
) -> Iterator[_Candidate]:
    month = _month_number(match.group("mon"))
    day = _day_number(match.group("day"))
    year = match.group("year")
    weekday = _WEEKDAYS[match.group("wd")] if match.group("wd") else None
    if year:
        value = _safe_date(int(year), month, day)
    elif published is not None:
        value = _day_without_year(month, day, published, weekday, match.group("rel"))
    else:
        value = None
    yield _Candidate(*match.span("span"), 1, _as_day(value), explicit=bool(year))


def _day_range(match: re.Match[str], published: datetime.date | None) -> Iterator[_Candidate]:
    """ "les 3 et 4 mars", "du 28 février au 3 mars 2021": the first day borrows month and year."""
    last_month = _month_number(match.group("mon"))
    first_month = _month_number(match.group("mon1")) if match.group("mon1") else last_month
    last_day = _day_number(match.group("day"))
    first_day = _day_number(match.group("day1"))
    year = match.group("year")
    if year:
        last = _safe_date(int(year), last_month, last_day)
    elif published is not None:
        last = _day_without_year(last_month, last_day, published, marker=match.group("rel"))
    else:
        last = None
    first = None
    if last is not None:
        first_year = last.year - 1 if first_month > last_month else last.year
        first = _safe_date(first_year, first_month, first_day)
    explicit = bool(year)
    yield _Candidate(*match.span("first"), 0, _as_day(first), explicit)
    yield _Candidate(*match.span("span"), 0, _as_day(last), explicit)


def _numeric_day(match: re.Match[str], published: datetime.date | None) -> Iterator[_Candidate]:
    year_text = match.group("year")
    year = int(year_text) if len(year_text) == 4 else _two_digit_year(int(year_text), published)
    if not 1900 <= year <= 2100:
        return
    value = _safe_date(year, int(match.group("mon")), int(match.group("day")))
    yield _Candidate(*match.span("span"), 1, _as_day(value), explicit=True)


def _month_year(match: re.Match[str], published: datetime.date | None) -> Iterator[_Candidate]:
    month = _month_number(match.group("mon"))
    value = datetime.date(int(match.group("year")), month, 1)
    yield _Candidate(*match.span("span"), 2, (value, "month"))


def _numeric_month(match: re.Match[str], published: datetime.date | None) -> Iterator[_Candidate]:
    value = datetime.date(int(match.group("year")), int(match.group("mon")), 1)
    yield _Candidate(*match.span("span"), 2, (value, "month"))


def _month_range(match: re.Match[str], published: datetime.date | None) -> Iterator[_Candidate]:
    """ "de janvier à mars 2021": the first month borrows the year."""
    first_month = _month_number(match.group("mon1"))
    last_month = _month_number(match.group("mon"))
    year = int(match.group("year"))
    first_year = year - 1 if first_month > last_month else year
    yield _Candidate(*match.span("first"), 1, (datetime.date(first_year, first_month, 1), "month"))
    yield _Candidate(*match.span("span"), 1, (datetime.date(year, last_month, 1), "month"))


def _month_alone(match: re.Match[str], published: datetime.date | None) -> Iterator[_Candidate]:
    if published is None:
        yield _Candidate(*match.span("span"), 3, None)
        return
    value = _month_without_year(_month_number(match.group("mon")), published, match.group("rel"))
    yield _Candidate(*match.span("span"), 3, (value, "month"))


def _weekday_day(match: re.Match[str], published: datetime.date | None) -> Iterator[_Candidate]:
    value = None
    if published is not None:
        weekday = _WEEKDAYS[match.group("wd")]
        value = _weekday_and_day(weekday, _day_number(match.group("day")), published)
    yield _Candidate(*match.span("span"), 3, _as_day(value))


def _weekday(match: re.Match[str], published: datetime.date | None) -> Iterator[_Candidate]:
    value = None
    if published is not None:
        value = _weekday_near(_WEEKDAYS[match.group("wd")], published, match.group("rel"))
    yield _Candidate(*match.span("span"), 4, _as_day(value))


def _years(match: re.Match[str], published: datetime.date | None) -> Iterator[_Candidate]:
    """Every year of "en 2012", "entre 2014 et 2017", "2012, 2013 et 2014", "(2020-2022)"."""
    for year in re.finditer(r"\d{4}", match.group("span")):
        start = match.start("span") + year.start()
        value = datetime.date(int(year.group()), 1, 1)
        yield _Candidate(start, start + 4, 2, (value, "year"))


def _year_range(match: re.Match[str], published: datetime.date | None) -> Iterator[_Candidate]:
    first, last = int(match.group("y1")), int(match.group("y2"))
    if first < last <= first + 50:
        yield from _years(match, published)


def _relative_day(match: re.Match[str], published: datetime.date | None) -> Iterator[_Candidate]:
    offset = _RELATIVE_DAY_KEYS[re.sub(r"\s+", " ", match.group("span"))]
    value = published + datetime.timedelta(days=offset) if published else None
    yield _Candidate(*match.span("span"), 2, _as_day(value))


def _relative_period(match: re.Match[str], published: datetime.date | None) -> Iterator[_Candidate]:
    phrase = re.sub(r"\s+", " ", match.group("span"))
    value: tuple[datetime.date, DatePrecision] | None = None
    if published is None:
        pass
    elif phrase in _RELATIVE_YEARS:
        value = (datetime.date(published.year + _RELATIVE_YEARS[phrase], 1, 1), "year")
    elif phrase in _RELATIVE_MONTHS:
        year, month = _month_shift(published.year, published.month, _RELATIVE_MONTHS[phrase])
        value = (datetime.date(year, month, 1), "month")
    else:
        monday = published - datetime.timedelta(days=published.weekday())
        monday += datetime.timedelta(weeks=_RELATIVE_WEEKS[phrase])
        sunday = monday + datetime.timedelta(days=6)
        if (monday.year, monday.month) == (sunday.year, sunday.month):
            value = (monday.replace(day=1), "month")
    yield _Candidate(*match.span("span"), 2, value)


def _ago(match: re.Match[str], published: datetime.date | None) -> Iterator[_Candidate]:
    count = parse_count(match.group("count"))
    unit = _AGO_UNITS[match.group("unit")]
    value: tuple[datetime.date, DatePrecision] | None = None
    if published is not None and count is not None and 0 < count <= 200:
        if unit == "day" and count <= 366:
            value = (published - datetime.timedelta(days=count), "day")
        elif unit == "month":
            year, month = _month_shift(published.year, published.month, -count)
            value = (datetime.date(year, month, 1), "month")
        elif unit == "year":
            value = (datetime.date(published.year - count, 1, 1), "year")
    yield _Candidate(*match.span("span"), 2, value)


_RELATIVE_DAY_KEYS = {re.sub(r"\s+", " ", k): v for k, v in _RELATIVE_DAYS.items()}
_RELATIVE_PERIODS = [*_RELATIVE_YEARS, *_RELATIVE_MONTHS, *_RELATIVE_WEEKS]
_AGO = re.escape(_DATA["ago_prefix"]).replace(r"\ ", r"\s+")
_YEAR_LIST = rf"{_YEAR}(?:(?:\s*,\s*{_YEAR})*\s*{_SEP}\s*{_YEAR})?{_NOT_UNIT}"

_PATTERNS: list[tuple[re.Pattern[str], _Resolver]] = [
    (
        re.compile(
            rf"(?P<first>(?P<day1>{_DAY})(?:\s+(?P<mon1>{_MONTH}))?)\s*{_SEP}\s*(?:le\s+)?"
            rf"(?P<span>(?P<day>{_DAY})\s+(?P<mon>{_MONTH})(?:\s+(?P<year>{_YEAR}))?"
            rf"(?:\s+(?P<rel>{_REL}))?)"
        ),
        _day_range,
    ),
    (
        re.compile(
            rf"(?<!\w)(?P<span>(?:(?P<wd>{_WEEKDAY})\s+)?(?P<day>{_DAY})\s+(?P<mon>{_MONTH})"
            rf"(?:\s+(?P<year>{_YEAR}))?(?:\s+(?P<rel>{_REL}))?)"
        ),
        _full_or_partial_day,
    ),
    (
        re.compile(
            r"(?<![\w-])(?P<span>(?P<year>(?:19|20)\d\d|2100)-(?P<mon>0[1-9]|1[0-2])"
            r"-(?P<day>0[1-9]|[12]\d|3[01]))(?!\d)"
        ),
        _numeric_day,
    ),
    (
        re.compile(
            r"(?<![\w/.,-])(?P<span>(?P<day>0?[1-9]|[12]\d|3[01])(?P<sep>[/.-])"
            r"(?P<mon>0?[1-9]|1[0-2])(?P=sep)(?P<year>\d{4}|\d{2}))(?![\w/]|[.,-]\d)"
        ),
        _numeric_day,
    ),
    (
        re.compile(
            rf"(?P<first>(?P<mon1>{_MONTH}))\s+{_SEP}\s+"
            rf"(?P<span>(?P<mon>{_MONTH})\s+(?P<year>{_YEAR}))"
        ),
        _month_range,
    ),
    (re.compile(rf"(?P<span>(?P<mon>{_MONTH})\s+(?P<year>{_YEAR}))"), _month_year),
    (
        re.compile(
            r"(?<![\w/.,-])(?P<span>(?P<mon>0[1-9]|1[0-2])/(?P<year>(?:19|20)\d\d))(?![\w/]|[.,]\d)"
        ),
        _numeric_month,
    ),
    (
        re.compile(rf"{_MONTH_CONTEXT}(?P<span>(?P<mon>{_MONTH})(?:\s+(?P<rel>{_REL}))?)"),
        _month_alone,
    ),
    (re.compile(rf"(?<!\w)(?P<span>(?P<mon>{_MONTH})\s+(?P<rel>{_REL}))"), _month_alone),
    (
        re.compile(
            rf"(?<!\w)(?P<span>(?P<wd>{_WEEKDAY})\s+(?P<day>{_DAY}))(?!\s*(?:{_MONTH}|[\d/.-]))"
        ),
        _weekday_day,
    ),
    (re.compile(rf"(?<!\w)(?P<span>(?P<wd>{_WEEKDAY})(?:\s+(?P<rel>{_REL}))?)"), _weekday),
    (re.compile(rf"{_YEAR_CONTEXT}(?P<span>{_YEAR_LIST})"), _years),
    (
        re.compile(
            rf"(?<!\w)(?:de|du|d')\s*(?P<span>(?P<y1>{_YEAR})\s+(?:à|a|au)\s+(?P<y2>{_YEAR}))"
        ),
        _year_range,
    ),
    (re.compile(rf"(?P<span>(?P<y1>{_YEAR})\s*[-–—/]\s*(?P<y2>{_YEAR}))"), _year_range),
    (
        re.compile(rf"(?<![\w-])(?P<span>{_alternation(_RELATIVE_DAY_KEYS)})(?![\w'-])"),
        _relative_day,
    ),
    (
        re.compile(rf"(?<![\w'-])(?P<span>{_alternation(_RELATIVE_PERIODS)})(?![\w'-])"),
        _relative_period,
    ),
    (
        re.compile(
            rf"(?<!\w)(?P<span>{_AGO}\s+(?P<count>{NUMBER_PATTERN})\s+"
            rf"(?P<unit>{_alternation(_AGO_UNITS)}))(?!\w)"
        ),
        _ago,
    ),
]


# --- public API -------------------------------------------------------------------------


def find_dates(text: str, published: datetime.date | None) -> list[DateMention]:
    """Every date expression in ``text``, resolved against ``published``; offsets into ``text``."""
    mentions = []
    for candidate in _select(_candidates(lower_keep_offsets(text), published)):
        if candidate.value is None:
            continue
        value, precision = candidate.value
        resolved = ResolvedDate(value, precision, text[candidate.start : candidate.end])
        mentions.append(DateMention(candidate.start, candidate.end, resolved))
    return mentions


def resolve_date(expression: str, published: datetime.date | None) -> ResolvedDate | None:
    """The date of one expression ("hier", "le 17 février"), None when it cannot be resolved."""
    found = find_dates(expression, published)
    return found[0].date if found else None


def detect_publication_date(text: str) -> datetime.date | None:
    """A full date (day, month, year) stated in the first lines (dateline, byline), else None.

    A date counts when a publication word precedes it on its line ("Publié le 21/07/2014"), or
    when it opens the line or follows a short dateline prefix ("RABAT, 21 juillet 2014 -") and
    nothing but a time or a separator follows it on a long line. A date after an update word
    ("mis à jour le") is used only when no other qualifies; a title such as "Attentats du 16 mai
    2003" does not qualify.
    """
    best: tuple[int, int, datetime.date] | None = None  # (-score, order, date)
    order = 0
    for line in _first_lines(text):
        lower = lower_keep_offsets(line)
        for candidate in _select(_candidates(lower, None)):
            if not candidate.explicit or candidate.value is None:
                continue
            score = _dateline_score(lower, candidate.start, candidate.end)
            order += 1
            if score and (best is None or (-score, order) < best[:2]):
                best = (-score, order, candidate.value[0])
    return best[2] if best else None


# --- internals --------------------------------------------------------------------------


def _candidates(lower: str, published: datetime.date | None) -> list[_Candidate]:
    found: list[_Candidate] = []
    for pattern, resolve in _PATTERNS:
        for match in pattern.finditer(lower):
            try:
                found.extend(resolve(match, published))
            except (ValueError, OverflowError, KeyError):
                continue  # an impossible date (31 février, a date past year 9999): no date
    return found


def _select(candidates: list[_Candidate]) -> list[_Candidate]:
    """Longest candidates first, then by priority; overlapping shorter ones are dropped."""
    chosen: list[_Candidate] = []  # kept sorted by start; chosen spans never overlap
    starts: list[int] = []
    for candidate in sorted(candidates, key=lambda c: (c.start - c.end, c.priority, c.start)):
        index = bisect.bisect_right(starts, candidate.start)
        if index and chosen[index - 1].end > candidate.start:
            continue
        if index < len(chosen) and chosen[index].start < candidate.end:
            continue
        chosen.insert(index, candidate)
        starts.insert(index, candidate.start)
    return chosen


def _first_lines(text: str) -> Iterator[str]:
    count = 0
    for line in text[:_FIRST_CHARS].splitlines():
        if line.strip():
            yield line
            count += 1
            if count == _FIRST_LINES:
                return


_PUBLICATION_RE = re.compile(rf"(?<!\w)(?:{_alternation(_DATA['publication_markers'])})(?!\w)")
_UPDATE_RE = re.compile(rf"(?<!\w)(?:{_alternation(_DATA['update_markers'])})(?!\w)")
_DATELINE_BEFORE_RE = re.compile(r"(?:^|[-–—|,:•·/(]|(?<!\w)le)\s*$")
# After a dateline's date: nothing, a separator, or a time then nothing or a separator.
_DATELINE_AFTER_RE = re.compile(r"(?:\s*(?:à\s*)?\d{1,2}\s*[h:]\s*\d{0,2})?\s*(?:$|[-–—|(:•·])")
_SHORT_LINE = 80


def _dateline_score(line: str, start: int, end: int) -> int:
    """3: after a publication word; 2: a dateline; 1: after an update word; 0: not a dateline."""
    before = line[:start]
    publication = [m.end() for m in _PUBLICATION_RE.finditer(before)]
    update = [m.end() for m in _UPDATE_RE.finditer(before)]
    if publication or update:
        return 3 if max(publication, default=-1) > max(update, default=-1) else 1
    if len(before) > _MAX_DATELINE_PREFIX or not _DATELINE_BEFORE_RE.search(before):
        return 0
    if len(line.strip()) <= _SHORT_LINE or _DATELINE_AFTER_RE.match(line, end):
        return 2
    return 0
