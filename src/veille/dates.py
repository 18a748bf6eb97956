"""Date expressions in news, resolved against the publication date, in any coded language.

Candidates are found with regexes built from the vocabulary of the language's
``veille/lang/<code>/dates.yaml`` (one :class:`DateGrammar` per language, the same code for
every language) and resolved by the small calendar functions below (dateparser was tried and
dropped: it ignores the weekday, misses "le 16 juillet dernier", invents the day of month-only
dates and reads "sa" or "la résolution 2703" as dates).

Rules, all of them honest about precision:

* a full date ("le 3 mars 2021", "March 3, 2025", "3/03/2021", "2021-03-03") is that day;
* a day without a year ("le 17 février") is the most recent one not later than
  ``MARGIN_DAYS`` after publication; with a weekday ("dimanche 20 juillet") the year, among
  the publication year and its neighbours, where that day has that weekday; with a past
  marker ("dernier", "el pasado") the most recent one before publication, with a future
  marker ("prochain", "next") the next one after it;
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
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from veille.lang import DEFAULT_LANGUAGE, language_yaml
from veille.lexicon import fold
from veille.model import DateMention, DatePrecision, ResolvedDate
from veille.quantities import NUMBER_PATTERN, lower_keep_offsets, parse_count

#: How far after publication a date without a year may lie ("le 25 juillet" announced on the 21st).
MARGIN_DAYS = 7
_MARGIN = datetime.timedelta(days=MARGIN_DAYS)
_FIRST_LINES = 10  # lines searched for a dateline or byline
_FIRST_CHARS = 3000
_MAX_DATELINE_PREFIX = 60  # characters allowed before a dateline's date ("RABAT, ")
_SHORT_LINE = 80
_NEVER = r"(?!)"  # the alternation of no words: matches nothing
# After these (or at the start of the text), a sentence or a title may begin: a capital there
# says nothing of a name.
_SENTENCE_OPENERS = frozenset("\n.!?¡¿:;«\"'“([—–-|•")

_Direction = Literal["past", "future"] | None
_Value = tuple[datetime.date, DatePrecision] | None


def _alternation(words: Iterable[str]) -> str:
    unique = set(words)
    for word in unique:
        if not isinstance(word, str) or not word:
            raise TypeError(f"dates.yaml: {word!r} is not a word (quote on, yes, no...)")
    if not unique:
        return _NEVER
    ordered = sorted(unique, key=lambda w: (-len(w), w))
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ordered)


def _with_unaccented(table: Mapping[str, int]) -> dict[str, int]:
    return {**{fold(k): v for k, v in table.items()}, **table}


def _context(words: Iterable[str]) -> str:
    """Words that must stand right before a month or year: "en", "fin", "mi-"."""
    return rf"(?<!\w)(?:{_alternation(words)})(?:\s+|-)"


def _gap(words: Iterable[str]) -> str:
    """A space, or a space, one of ``words`` and a space: "3 de marzo", "marzo de 2025"."""
    return rf"\s+(?:(?:{_alternation(words)})\s+)?"


def _marks_gap(marks: Iterable[str]) -> str:
    """A space, maybe after one of ``marks``: "March 3, 2025", "martes, 3 de marzo"."""
    return rf"(?:\s*(?:{_alternation(marks)}))?\s+"


def _spaces(phrase: str) -> str:
    return re.sub(r"\s+", " ", phrase)


def _offsets(table: Mapping[str, int | None] | None) -> dict[str, int | None]:
    return {_spaces(k): (None if v is None else int(v)) for k, v in (table or {}).items()}


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int
    end: int
    priority: int  # lower wins between candidates of the same span
    value: _Value
    explicit: bool = False  # stated in full, without the publication date (datelines)


_Resolver = Callable[[re.Match[str], str, datetime.date | None], Iterator[_Candidate]]


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
    direction: _Direction = None,
) -> datetime.date | None:
    """The year of "le 17 février" / "dimanche 20 juillet" / "le 16 juillet dernier"."""
    years = range(published.year + 1, published.year - 9, -1)
    dates = [d for d in (_safe_date(y, month, day) for y in years) if d is not None]
    if direction == "past":
        dates = [d for d in dates if d < published]
    elif direction == "future":
        dates = [d for d in reversed(dates) if d > published]
    else:
        limit = published + _MARGIN
        dates = [d for d in dates if d <= limit]
    if weekday is not None:
        near = [d for d in dates if abs(d.year - published.year) <= 1 and d.weekday() == weekday]
        dates = near or dates
    return dates[0] if dates else None


def _month_without_year(
    month: int, published: datetime.date, direction: _Direction
) -> datetime.date:
    """The year of "en juillet" / "juillet dernier" / "en juillet prochain"."""
    this_year = datetime.date(published.year, month, 1)
    if direction == "past":
        return this_year if month < published.month else this_year.replace(year=published.year - 1)
    if direction == "future":
        return this_year if month > published.month else this_year.replace(year=published.year + 1)
    if this_year <= published + _MARGIN:
        return this_year
    return this_year.replace(year=published.year - 1)


def _weekday_near(weekday: int, published: datetime.date, direction: _Direction) -> datetime.date:
    """ "mardi": the last Tuesday on or before publication; "dernier" before, "prochain" after."""
    if direction == "future":
        ahead = (weekday - published.weekday()) % 7 or 7
        return published + datetime.timedelta(days=ahead)
    back = (published.weekday() - weekday) % 7
    if direction == "past" and back == 0:
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


def _week_as_month(published: datetime.date, offset: int) -> _Value:
    """The week ``offset`` weeks from publication's, as its month when it lies in one month."""
    monday = published - datetime.timedelta(days=published.weekday())
    monday += datetime.timedelta(weeks=offset)
    sunday = monday + datetime.timedelta(days=6)
    if (monday.year, monday.month) == (sunday.year, sunday.month):
        return (monday.replace(day=1), "month")
    return None


def _two_digit_year(year: int, published: datetime.date | None) -> int:
    pivot = (published.year + 1) % 100 if published else 50
    return 2000 + year if year <= pivot else 1900 + year


def _as_day(value: datetime.date | None) -> _Value:
    return (value, "day") if value else None


# --- the grammar of one language --------------------------------------------------------


class DateGrammar:
    """The date expressions of one language, built from its ``dates.yaml`` (see fr/dates.yaml,
    which documents every key). Use :func:`date_grammar` for the cached one of a language."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.months = _with_unaccented({k: int(v) for k, v in data["months"].items()})
        self.month_abbreviations = _with_unaccented(
            {k: int(v) for k, v in data["month_abbreviations"].items()}
        )
        self.weekdays = _with_unaccented({k: int(v) for k, v in data["weekdays"].items()})
        self.ambiguous_months = frozenset(
            {*data["ambiguous_months"], *(fold(w) for w in data["ambiguous_months"])}
        )
        self.capitalised_names = frozenset(data["capitalised_names"])
        self.day_words = {k: int(v) for k, v in data["day_words"].items()}
        self.past = frozenset(
            _spaces(w) for w in [*data["past_markers"], *data["past_markers_before"]]
        )
        self.future = frozenset(
            _spaces(w) for w in [*data["future_markers"], *data["future_markers_before"]]
        )
        self.relative_days = _offsets(data["relative_days"])
        self.relative_months = _offsets(data["relative_months"])
        self.relative_years = _offsets(data["relative_years"])
        self.relative_weeks = _offsets(data["relative_weeks"])
        self.ago_units: dict[str, str] = dict(data["ago_units"])
        self.ago_counts = _offsets(data["ago_counts"])
        self._patterns = self._build_patterns(data)
        self._publication_re = re.compile(
            rf"(?<!\w)(?:{_alternation(data['publication_markers'])})(?!\w)"
        )
        self._update_re = re.compile(rf"(?<!\w)(?:{_alternation(data['update_markers'])})(?!\w)")
        self._dateline_before_re = re.compile(
            rf"(?:^|[-–—|,:•·/(]|(?<!\w)(?:{_alternation(data['dateline_articles'])}))\s*$"
        )
        # After a dateline's date: nothing, a separator, or a time then nothing or a separator.
        self._dateline_after_re = re.compile(
            rf"(?:\s*(?:(?:{_alternation(data['time_prepositions'])})\s*)?\d{{1,2}}\s*[h:]\s*"
            rf"\d{{0,2}}(?:\s*(?:{_alternation(data['time_suffixes'])}))?)?"
            r"\s*(?:$|[-–—|(:•·])"
        )

    # --- regexes ------------------------------------------------------------------------

    def _build_patterns(self, data: Mapping[str, Any]) -> list[tuple[re.Pattern[str], _Resolver]]:
        day = (
            rf"(?<![\w.,/])(?:{_alternation(self.day_words)}"
            rf"|(?:[12]\d|3[01]|0?[1-9])(?:{_alternation(data['day_suffixes'])})?)(?!\w)"
        )
        year = r"(?<![\w.,])(?:19\d\d|20\d\d|2100)(?!\w)"
        dm = _gap(data["day_month_words"])  # day -> month
        my = _gap(data["month_year_words"])  # month -> year
        md = r"\s+"  # month -> day
        dy = _marks_gap(data["day_year_marks"])  # day -> year, month-day order
        wd_gap = _marks_gap(data["weekday_marks"])
        month = (
            rf"(?:(?:{_alternation(self.months)})(?!\w)"
            rf"|(?:{_alternation(self.month_abbreviations)})"
            rf"(?:\.|(?={my}(?:19|20)\d\d(?!\w))))"
        )
        weekday = rf"(?:{_alternation(self.weekdays)})(?!\w)"
        rel = rf"(?:{_alternation([*data['past_markers'], *data['future_markers']])})(?!\w)"
        before = [*data["past_markers_before"], *data["future_markers_before"]]
        relb = rf"(?:{_alternation(before)})(?!\w)"
        separators = data["range_separators"]
        sep_words = [w for w in separators if w.replace(" ", "").isalpha()]
        sep_marks = [w for w in separators if not w.replace(" ", "").isalpha()]
        sep = rf"(?:(?:{_alternation(sep_words)})(?!\w)|{_alternation(sep_marks)})"
        not_unit = rf"(?!\s*(?:{_alternation(data['not_year_units'])})(?!\w))"
        article = rf"(?:(?:{_alternation(data['day_articles'])})\s+)?"
        possessive = rf"(?=(?:{_alternation(data['possessive_endings'])})(?!\w))"
        year_list = rf"{year}(?:(?:\s*,\s*{year})*\s*{sep}\s*{year})?{not_unit}"
        relative_periods = [*self.relative_years, *self.relative_months, *self.relative_weeks]
        orders = data["date_orders"]
        unknown = set(orders) - {"day_month", "month_day"}
        if unknown or not orders:
            raise ValueError(f"date_orders: {orders!r}, expected day_month and/or month_day")

        patterns: list[tuple[str, _Resolver]] = []
        if "day_month" in orders:
            patterns.append(
                (
                    rf"(?P<first>(?P<day1>{day})(?:{dm}(?P<mon1>{month}))?)\s*{sep}\s*{article}"
                    rf"(?P<span>(?P<day>{day}){dm}(?P<mon>{month})(?:{my}(?P<year>{year}))?"
                    rf"(?:\s+(?P<rel>{rel}))?)",
                    self._day_range,
                )
            )
        if "month_day" in orders:
            openers = _alternation(data["range_openers"])
            patterns.append(
                (
                    rf"(?:(?<!\w)(?P<opener>{openers})\s+)?"
                    rf"(?P<first>(?P<mon1>{month}){md}(?P<day1>{day}))\s*(?P<sep>{sep})\s*{article}"
                    rf"(?P<span>(?:(?P<mon>{month}){md})?(?P<day>{day})(?:{dy}(?P<year>{year}))?"
                    rf"(?:\s+(?P<rel>{rel}))?)",
                    self._day_range,
                )
            )
        if "day_month" in orders:
            patterns.append(
                (
                    rf"(?<!\w)(?P<span>(?:(?P<relb>{relb})\s+)?(?:(?P<wd>{weekday}){wd_gap})?"
                    rf"(?P<day>{day}){dm}(?P<mon>{month})"
                    rf"(?:{my}(?P<year>{year}))?(?:\s+(?P<rel>{rel}))?)",
                    self._full_or_partial_day,
                )
            )
        if "month_day" in orders:
            patterns.append(
                (
                    rf"(?<!\w)(?P<span>(?:(?P<relb>{relb})\s+)?(?:(?P<wd>{weekday}){wd_gap})?"
                    rf"(?P<mon>{month}){md}(?P<day>{day})"
                    rf"(?:{dy}(?P<year>{year}))?(?:\s+(?P<rel>{rel}))?)",
                    self._full_or_partial_day,
                )
            )
        patterns.append(
            (
                r"(?<![\w-])(?P<span>(?P<year>(?:19|20)\d\d|2100)-(?P<mon>0[1-9]|1[0-2])"
                r"-(?P<day>0[1-9]|[12]\d|3[01]))(?!\d)",
                self._numeric_day,
            )
        )
        numeric = {
            "day": r"(?P<day>0?[1-9]|[12]\d|3[01])",
            "month": r"(?P<mon>0?[1-9]|1[0-2])",
        }
        numeric_order = data["numeric_date_order"]
        if numeric_order not in ("day_month", "month_day"):
            raise ValueError(f"numeric_date_order: {numeric_order!r}")
        first, second = numeric_order.split("_")
        patterns.append(
            (
                rf"(?<![\w/.,-])(?P<span>{numeric[first]}(?P<sep>[/.-])"
                rf"{numeric[second]}(?P=sep)(?P<year>\d{{4}}|\d{{2}}))(?![\w/]|[.,-]\d)",
                self._numeric_day,
            )
        )
        patterns += [
            (
                rf"(?P<first>(?P<mon1>{month}))\s+{sep}\s+"
                rf"(?P<span>(?P<mon>{month}){my}(?P<year>{year}))",
                self._month_range,
            ),
            (rf"(?P<span>(?P<mon>{month}){my}(?P<year>{year}))", self._month_year),
            (
                r"(?<![\w/.,-])(?P<span>(?P<mon>0[1-9]|1[0-2])/(?P<year>(?:19|20)\d\d))"
                r"(?![\w/]|[.,]\d)",
                self._numeric_month,
            ),
            (
                rf"{_context(data['month_context'])}"
                rf"(?P<span>(?P<mon>{month})(?:\s+(?P<rel>{rel}))?)",
                self._month_alone,
            ),
            (rf"(?<!\w)(?P<span>(?P<mon>{month})\s+(?P<rel>{rel}))", self._month_alone),
        ]
        if before:
            patterns.append(
                (rf"(?<!\w)(?P<span>(?P<relb>{relb})\s+(?P<mon>{month}))", self._month_alone)
            )
        if data["weekday_and_day"]:
            patterns.append(
                (
                    rf"(?<!\w)(?P<span>(?P<wd>{weekday})\s+(?P<day>{day}))"
                    rf"(?!(?:\s+(?:{_alternation(data['day_month_words'])}))?"
                    rf"\s*(?:{month}|[\d/.-]))",
                    self._weekday_day,
                )
            )
        ago_count = NUMBER_PATTERN
        if self.ago_counts:
            ago_count = rf"(?:(?:{_alternation(self.ago_counts)})(?!\w)|{NUMBER_PATTERN})"
        ago_parts = [
            _alternation([data["ago_prefix"]]) if data["ago_prefix"] else "",
            rf"(?P<count>{ago_count})",
            rf"(?P<unit>{_alternation(self.ago_units)})",
            _alternation([data["ago_suffix"]]) if data["ago_suffix"] else "",
        ]
        ago = r"\s+".join(part for part in ago_parts if part)
        patterns += [
            (
                rf"(?<!\w)(?P<span>(?:(?P<relb>{relb})\s+)?(?P<wd>{weekday})"
                rf"(?:\s+(?P<rel>{rel}))?)",
                self._weekday,
            ),
            (rf"{_context(data['year_context'])}(?P<span>{year_list})", self._years),
            (
                rf"(?<!\w)(?:{_alternation(data['year_range_from'])})\s*"
                rf"(?P<span>(?P<y1>{year})\s+(?:{_alternation(data['year_range_to'])})\s+"
                rf"(?P<y2>{year}))",
                self._year_range,
            ),
            (rf"(?P<span>(?P<y1>{year})\s*[-–—/]\s*(?P<y2>{year}))", self._year_range),
            (
                rf"(?<![\w-])(?P<span>{_alternation(self.relative_days)})"
                rf"(?:{possessive}|(?![\w'-]))",
                self._relative_day,
            ),
            (
                rf"(?<![\w'-])(?P<span>{_alternation(relative_periods)})"
                rf"(?:{possessive}|(?![\w'-]))",
                self._relative_period,
            ),
            (rf"(?<!\w)(?P<span>{ago})(?!\w)", self._ago),
        ]
        return [(re.compile(pattern), resolve) for pattern, resolve in patterns]

    # --- words --------------------------------------------------------------------------

    def _day_number(self, text: str) -> int:
        if text in self.day_words:
            return self.day_words[text]
        digits = re.match(r"\d+", text)
        if digits is None:
            raise ValueError(f"not a day: {text!r}")
        return int(digits.group())

    def _month_number(self, text: str) -> int:
        word = text.rstrip(".")
        return self.months.get(word) or self.month_abbreviations[word]

    def _direction(self, match: re.Match[str]) -> _Direction:
        groups = match.groupdict()
        marker = groups.get("rel") or groups.get("relb")
        if marker is None:
            return None
        marker = _spaces(marker)
        if marker in self.past:
            return "past"
        if marker in self.future:
            return "future"
        return None

    def _months_readable(self, match: re.Match[str], text: str, *groups: str) -> bool:
        """Lowercase "may" or "march" is a month only with a year beside it."""
        if match.groupdict().get("year"):
            return True
        for group in groups:
            word = match.group(group)
            if (
                word
                and word.rstrip(".") in self.ambiguous_months
                and not text[match.start(group)].isupper()
            ):
                return False
        return True

    def _is_name(self, match: re.Match[str], text: str, group: str) -> bool:
        """ "Santo Domingo": a word of ``capitalised_names`` capitalised inside a sentence."""
        start = match.start(group)
        if match.group(group) not in self.capitalised_names or not text[start].isupper():
            return False
        before = text[max(0, start - 40) : start].rstrip(" \t\u00a0\u202f")
        return bool(before) and before[-1] not in _SENTENCE_OPENERS

    # --- resolvers: one per pattern, each yields candidates -----------------------------

    def _full_or_partial_day(
        self, match: re.Match[str], text: str, published: datetime.date | None
    ) -> Iterator[_Candidate]:
        if not self._months_readable(match, text, "mon"):
            return
        month = self._month_number(match.group("mon"))
        day = self._day_number(match.group("day"))
        year = match.group("year")
        weekday = self.weekdays[match.group("wd")] if match.group("wd") else None
        if year:
            value = _safe_date(int(year), month, day)
        elif published is not None:
            value = _day_without_year(month, day, published, weekday, self._direction(match))
        else:
            value = None
        yield _Candidate(*match.span("span"), 1, _as_day(value), explicit=bool(year))

    def _day_range(
        self, match: re.Match[str], text: str, published: datetime.date | None
    ) -> Iterator[_Candidate]:
        """ "les 3 et 4 mars", "du 28 février au 3 mars 2021", "March 3-5": the other day
        borrows month and year."""
        groups = match.groupdict()
        if not self._months_readable(match, text, "mon", "mon1"):
            return
        if (
            "opener" in groups
            and not groups["mon"]
            and not groups["year"]
            and not groups["opener"]
            and re.search(r"\w", groups["sep"])
        ):
            return  # "on March 3 and 4 soldiers": no range without an opener or a dash
        last_month = self._month_number(groups["mon"] or groups["mon1"])
        first_month = self._month_number(groups["mon1"]) if groups["mon1"] else last_month
        last_day = self._day_number(groups["day"])
        first_day = self._day_number(groups["day1"])
        year = groups["year"]
        if year:
            last = _safe_date(int(year), last_month, last_day)
        elif published is not None:
            last = _day_without_year(last_month, last_day, published, None, self._direction(match))
        else:
            last = None
        first = None
        if last is not None:
            first_year = last.year - 1 if first_month > last_month else last.year
            first = _safe_date(first_year, first_month, first_day)
        explicit = bool(year)
        yield _Candidate(*match.span("first"), 0, _as_day(first), explicit)
        yield _Candidate(*match.span("span"), 0, _as_day(last), explicit)

    def _numeric_day(
        self, match: re.Match[str], text: str, published: datetime.date | None
    ) -> Iterator[_Candidate]:
        year_text = match.group("year")
        year = int(year_text) if len(year_text) == 4 else _two_digit_year(int(year_text), published)
        if not 1900 <= year <= 2100:
            return
        value = _safe_date(year, int(match.group("mon")), int(match.group("day")))
        yield _Candidate(*match.span("span"), 1, _as_day(value), explicit=True)

    def _month_year(
        self, match: re.Match[str], text: str, published: datetime.date | None
    ) -> Iterator[_Candidate]:
        month = self._month_number(match.group("mon"))
        value = datetime.date(int(match.group("year")), month, 1)
        yield _Candidate(*match.span("span"), 2, (value, "month"))

    def _numeric_month(
        self, match: re.Match[str], text: str, published: datetime.date | None
    ) -> Iterator[_Candidate]:
        value = datetime.date(int(match.group("year")), int(match.group("mon")), 1)
        yield _Candidate(*match.span("span"), 2, (value, "month"))

    def _month_range(
        self, match: re.Match[str], text: str, published: datetime.date | None
    ) -> Iterator[_Candidate]:
        """ "de janvier à mars 2021": the first month borrows the year."""
        first_month = self._month_number(match.group("mon1"))
        last_month = self._month_number(match.group("mon"))
        year = int(match.group("year"))
        first_year = year - 1 if first_month > last_month else year
        first: _Value = (datetime.date(first_year, first_month, 1), "month")
        yield _Candidate(*match.span("first"), 1, first)
        yield _Candidate(*match.span("span"), 1, (datetime.date(year, last_month, 1), "month"))

    def _month_alone(
        self, match: re.Match[str], text: str, published: datetime.date | None
    ) -> Iterator[_Candidate]:
        if not self._months_readable(match, text, "mon"):
            return
        if published is None:
            yield _Candidate(*match.span("span"), 3, None)
            return
        month = self._month_number(match.group("mon"))
        value = _month_without_year(month, published, self._direction(match))
        yield _Candidate(*match.span("span"), 3, (value, "month"))

    def _weekday_day(
        self, match: re.Match[str], text: str, published: datetime.date | None
    ) -> Iterator[_Candidate]:
        value = None
        if published is not None:
            weekday = self.weekdays[match.group("wd")]
            value = _weekday_and_day(weekday, self._day_number(match.group("day")), published)
        yield _Candidate(*match.span("span"), 3, _as_day(value))

    def _weekday(
        self, match: re.Match[str], text: str, published: datetime.date | None
    ) -> Iterator[_Candidate]:
        if self._is_name(match, text, "wd"):
            return
        value = None
        if published is not None:
            weekday = self.weekdays[match.group("wd")]
            value = _weekday_near(weekday, published, self._direction(match))
        yield _Candidate(*match.span("span"), 4, _as_day(value))

    def _years(
        self, match: re.Match[str], text: str, published: datetime.date | None
    ) -> Iterator[_Candidate]:
        """Every year of "en 2012", "entre 2014 et 2017", "2012, 2013 et 2014", "(2020-2022)"."""
        for found in re.finditer(r"\d{4}", match.group("span")):
            start = match.start("span") + found.start()
            value = datetime.date(int(found.group()), 1, 1)
            yield _Candidate(start, start + 4, 2, (value, "year"))

    def _year_range(
        self, match: re.Match[str], text: str, published: datetime.date | None
    ) -> Iterator[_Candidate]:
        first, last = int(match.group("y1")), int(match.group("y2"))
        if first < last <= first + 50:
            yield from self._years(match, text, published)

    def _relative_day(
        self, match: re.Match[str], text: str, published: datetime.date | None
    ) -> Iterator[_Candidate]:
        offset = self.relative_days[_spaces(match.group("span"))]
        value = None
        if published is not None and offset is not None:
            value = published + datetime.timedelta(days=offset)
        yield _Candidate(*match.span("span"), 2, _as_day(value))

    def _relative_period(
        self, match: re.Match[str], text: str, published: datetime.date | None
    ) -> Iterator[_Candidate]:
        phrase = _spaces(match.group("span"))
        value: _Value = None
        if phrase in self.relative_years:
            offset = self.relative_years[phrase]
            if published is not None and offset is not None:
                value = (datetime.date(published.year + offset, 1, 1), "year")
        elif phrase in self.relative_months:
            offset = self.relative_months[phrase]
            if published is not None and offset is not None:
                year, month = _month_shift(published.year, published.month, offset)
                value = (datetime.date(year, month, 1), "month")
        else:
            offset = self.relative_weeks[phrase]
            if published is not None and offset is not None:
                value = _week_as_month(published, offset)
        yield _Candidate(*match.span("span"), 2, value)

    def _ago(
        self, match: re.Match[str], text: str, published: datetime.date | None
    ) -> Iterator[_Candidate]:
        count = self.ago_counts.get(_spaces(match.group("count")))
        if count is None:
            count = parse_count(match.group("count"))
        unit = self.ago_units[match.group("unit")]
        value: _Value = None
        if published is not None and count is not None and 0 < count <= 200:
            if unit == "day" and count <= 366:
                value = (published - datetime.timedelta(days=count), "day")
            elif unit == "week":
                value = _week_as_month(published, -count)
            elif unit == "month":
                year, month = _month_shift(published.year, published.month, -count)
                value = (datetime.date(year, month, 1), "month")
            elif unit == "year":
                value = (datetime.date(published.year - count, 1, 1), "year")
        yield _Candidate(*match.span("span"), 2, value)

    # --- reading a text -----------------------------------------------------------------

    def find_dates(self, text: str, published: datetime.date | None) -> list[DateMention]:
        """Every date expression in ``text``, resolved against ``published``."""
        mentions = []
        for candidate in _select(self._candidates(text, published)):
            if candidate.value is None:
                continue
            value, precision = candidate.value
            resolved = ResolvedDate(value, precision, text[candidate.start : candidate.end])
            mentions.append(DateMention(candidate.start, candidate.end, resolved))
        return mentions

    def detect_publication_date(self, text: str) -> datetime.date | None:
        """A full date stated in the first lines (dateline, byline), else None."""
        best: tuple[int, int, datetime.date] | None = None  # (-score, order, date)
        order = 0
        for line in _first_lines(text):
            lower = lower_keep_offsets(line)
            for candidate in _select(self._candidates(line, None)):
                if not candidate.explicit or candidate.value is None:
                    continue
                score = self._dateline_score(lower, candidate.start, candidate.end)
                order += 1
                if score and (best is None or (-score, order) < best[:2]):
                    best = (-score, order, candidate.value[0])
        return best[2] if best else None

    def _candidates(self, text: str, published: datetime.date | None) -> list[_Candidate]:
        lower = lower_keep_offsets(text)
        found: list[_Candidate] = []
        for pattern, resolve in self._patterns:
            for match in pattern.finditer(lower):
                try:
                    found.extend(resolve(match, text, published))
                except (ValueError, OverflowError, KeyError):
                    continue  # an impossible date (31 février, a date past year 9999): no date
        return found

    def _dateline_score(self, line: str, start: int, end: int) -> int:
        """3: after a publication word; 2: a dateline; 1: after an update word; 0: not one."""
        before = line[:start]
        publication = [m.end() for m in self._publication_re.finditer(before)]
        update = [m.end() for m in self._update_re.finditer(before)]
        if publication or update:
            return 3 if max(publication, default=-1) > max(update, default=-1) else 1
        if len(before) > _MAX_DATELINE_PREFIX or not self._dateline_before_re.search(before):
            return 0
        if len(line.strip()) <= _SHORT_LINE or self._dateline_after_re.match(line, end):
            return 2
        return 0


@cache
def date_grammar(language: str = DEFAULT_LANGUAGE) -> DateGrammar:
    """The date grammar of ``language``, built once from ``veille/lang/<language>/dates.yaml``."""
    return DateGrammar(language_yaml(language, "dates.yaml"))


# --- public API -------------------------------------------------------------------------


def find_dates(
    text: str, published: datetime.date | None, language: str = DEFAULT_LANGUAGE
) -> list[DateMention]:
    """Every date expression in ``text``, resolved against ``published``; offsets into ``text``."""
    return date_grammar(language).find_dates(text, published)


def resolve_date(
    expression: str, published: datetime.date | None, language: str = DEFAULT_LANGUAGE
) -> ResolvedDate | None:
    """The date of one expression ("hier", "le 17 février"), None when it cannot be resolved."""
    found = find_dates(expression, published, language)
    return found[0].date if found else None


def detect_publication_date(text: str, language: str = DEFAULT_LANGUAGE) -> datetime.date | None:
    """A full date (day, month, year) stated in the first lines (dateline, byline), else None.

    A date counts when a publication word precedes it on its line ("Publié le 21/07/2014"), or
    when it opens the line or follows a short dateline prefix ("RABAT, 21 juillet 2014 -") and
    nothing but a time or a separator follows it on a long line. A date after an update word
    ("mis à jour le") is used only when no other qualifies; a title such as "Attentats du 16 mai
    2003" does not qualify.
    """
    return date_grammar(language).detect_publication_date(text)


# --- internals --------------------------------------------------------------------------


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
