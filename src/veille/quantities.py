"""Counted quantities in French text: "200 soldats", "un mort et trois blessés".

A quantity is a number (digits with French thousands separators, or number words such as
"quatre-vingt-dix-sept", or an approximation such as "une trentaine de") followed by a
counted noun from ``data/quantities.yaml``. The noun gives the size key ("persons",
"killed", "injured", ...); a participle or passive after a person noun ("deux soldats tués",
"trois civils ont été blessés") or a verb before the count ("tuant cinq soldats") turns the
count of persons into a count of casualties. Years, dates, percentages, money, ordinals, ages
and identifiers ("la résolution 2703") are never counted: they lack a counted noun or are
excluded by the guards below.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from veille.lexicon import fold, load_yaml
from veille.model import QuantityMention

_DATA = load_yaml("quantities.yaml")

# Characters whose lowercase form is longer than one character, or that have variants
# the patterns should not care about; every other character is lowercased in place.
_CHAR_MAP = {
    "’": "'",
    "ʼ": "'",
    "‘": "'",
    "`": "'",
    "ᵉ": "e",
    "ʳ": "r",
    "\u00a0": " ",
    "\u202f": " ",
}


def lower_keep_offsets(text: str) -> str:
    """Lowercase ``text`` character by character, so that offsets stay valid in the original."""
    out: list[str] = []
    for char in text:
        mapped = _CHAR_MAP.get(char)
        if mapped is None:
            lowered = char.lower()
            mapped = lowered if len(lowered) == 1 else char
        out.append(mapped)
    return "".join(out)


def _alternation(words: Iterable[str]) -> str:
    """Regex alternation of literal words, longest first so that "millions" beats "million"."""
    unique = sorted(set(words), key=lambda w: (-len(w), w))
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in unique)


def _with_unaccented(words: Iterable[str]) -> set[str]:
    """The words and their unaccented spellings (text typed without accents still matches)."""
    found = set(words)
    return found | {fold(w) for w in found}


def _inflections(phrase: str) -> set[str]:
    """A noun, participle or phrase of the lexicon with its plural and feminine forms."""
    head, _, last = phrase.rpartition(" ")
    prefix = head + " " if head else ""
    if last.endswith("és"):
        return {phrase, prefix + last[:-1] + "es"}  # tués -> tuées
    if last.endswith(("s", "x", "z")):
        return {phrase}
    forms = {last, last + "s"}
    if last.endswith(("é", "u")):
        forms |= {last + "e", last + "es"}
    return {prefix + form for form in forms}


# --- number words -----------------------------------------------------------------------

_SMALL: dict[str, int] = {}
for _word, _value in _DATA["number_words"].items():
    for _variant in _with_unaccented([_word]):
        _SMALL[_variant] = int(_value)
_MULTIPLIERS: dict[str, int] = {k: int(v) for k, v in _DATA["number_multipliers"].items()}
_APPROXIMATIONS: dict[str, int] = {k: int(v) for k, v in _DATA["approximations"].items()}
_ONE_WORDS = frozenset({"un", "une"})
_TENS_BEFORE_ET = frozenset({20, 30, 40, 50, 60})

_NUMBER_WORD = rf"(?:{_alternation([*_SMALL, *_MULTIPLIERS])})"
_NUMBER_WORDS = (
    rf"\b{_NUMBER_WORD}(?:(?:-|\s+)(?:{_NUMBER_WORD})|(?:\s+et\s+|-et-)(?:une?|onze))*\b"
)
# Digits: "200", "1 200" / "1.200" / "1 200" (thousands groups), "1,5" (before "million").
_DIGITS = r"(?<![\w.,/-])(?:\d{1,3}(?:[ .]\d{3})+(?![\d])|\d+)(?:,\d+)?(?![\w%])"
_BIG = _alternation(k for k, v in _MULTIPLIERS.items() if v >= 1_000_000)
_APPROX = _alternation([*_APPROXIMATIONS, *(a + "s" for a in _APPROXIMATIONS)])

_NUMBER_RE = re.compile(rf"(?:{_DIGITS}(?:\s+(?:{_BIG})\b)?|{_NUMBER_WORDS})")
#: A number in digits or words, for other modules' patterns ("il y a trois jours").
NUMBER_PATTERN = _NUMBER_RE.pattern
_WORD_TOKEN_RE = re.compile(r"[^\s-]+")


def parse_number_words(expression: str) -> int | None:
    """Value of French number words ("quatre-vingt-dix-sept" -> 97), None if not a number."""
    tokens = _WORD_TOKEN_RE.findall(lower_keep_offsets(expression))
    if not tokens:
        return None
    total = 0  # millions and thousands already closed
    group = 0  # the part below a thousand being read
    previous = ""
    for index, token in enumerate(tokens):
        if token == "et":
            following = tokens[index + 1] if index + 1 < len(tokens) else ""
            if group % 100 not in _TENS_BEFORE_ET or following not in ("un", "une", "onze"):
                return None
        elif token in ("vingt", "vingts") and previous == "quatre" and group % 100 == 4:
            group += 76  # quatre-vingt: 4 * 20
        elif token in _SMALL:
            value = _SMALL[token]
            if not _may_add(group % 100, value):
                return None
            group += value
        elif _MULTIPLIERS.get(token) == 100:
            if group > 9:
                return None
            group = (group or 1) * 100
        elif token in _MULTIPLIERS:
            multiplier = _MULTIPLIERS[token]
            if total and total % (multiplier * 1000) != 0:
                return None  # "mille deux mille": a smaller order already closed
            total += (group or 1) * multiplier
            group = 0
        else:
            return None
        previous = token
    return total + group


def _may_add(below_hundred: int, value: int) -> bool:
    """Whether a number word may follow what was read below the hundred ("vingt" + "deux")."""
    if below_hundred == 0:
        return True
    if below_hundred == 10:
        return 7 <= value <= 9  # dix-sept, dix-huit, dix-neuf
    if below_hundred % 10 == 0 and below_hundred >= 20:
        return value < 10 or (below_hundred in (60, 80) and 10 <= value < 20)
    return False


def parse_count(expression: str) -> int | None:
    """Value of a number written in digits or in words ("1 200", "2 millions", "trois")."""
    text = lower_keep_offsets(expression).strip()
    digits = re.fullmatch(r"(\d[\d .]*?)(?:,(\d+))?(?:\s+([^\W\d_]+))?", text)
    if digits is None:
        return parse_number_words(text)
    whole = int(re.sub(r"[ .]", "", digits.group(1)))
    decimals = digits.group(2)
    multiplier_word = digits.group(3)
    multiplier = _MULTIPLIERS.get(multiplier_word, 0) if multiplier_word else 1
    if not multiplier:
        return None
    if decimals is None:
        return whole * multiplier
    if multiplier == 1:
        return None  # "1,5 soldat": not a count
    return round(float(f"{whole}.{decimals}") * multiplier)


# --- counted nouns and their context ----------------------------------------------------


def _key_table(section: dict[str, list[str]], inflect: bool) -> dict[str, str]:
    table: dict[str, str] = {}
    for key, words in section.items():
        for word in words:
            forms = _inflections(word) if inflect else {word}
            for form in _with_unaccented(forms):
                table.setdefault(form, key)
    return table


_EVENT_NOUNS = _key_table(_DATA["event_nouns"], inflect=True)
_NOUNS = {**_EVENT_NOUNS, **_key_table(_DATA["nouns"], inflect=True)}
_OUTCOMES = _key_table(_DATA["outcomes"], inflect=True)
_VERBS_BEFORE = _key_table(_DATA["verbs_before"], inflect=False)
_COUNT_ONE_FOR = frozenset(_DATA["count_one_for"])
# Words after a noun that show the participle is an active verb ("200 soldats ont arrêté").
_AUXILIARIES = frozenset(
    {"a", "ont", "est", "sont", "avait", "avaient", "aurait", "auraient", "ayant", "avoir", "qui"}
)

_MODIFIERS = _alternation(_with_unaccented(_DATA["modifiers"]))
_PREFIXES = _alternation(_DATA["approximation_prefixes"])
_WORD = r"[^\W\d_][\w'-]*"

_COUNT_RE = re.compile(
    rf"(?:(?P<anum>{_NUMBER_RE.pattern})\s+(?P<approx>{_APPROX})\b|(?P<num>{_NUMBER_RE.pattern}))"
    rf"(?P<link>\s+de\s+|\s+d'|\s+)(?:(?:{_MODIFIERS})\s+){{0,2}}"
    rf"(?P<noun>{_alternation(_NOUNS)})\b"
)
# A bare count followed by an outcome: "au moins 30 ont péri".
_BARE_RE = re.compile(
    rf"(?P<num>{_NUMBER_RE.pattern})\s+"
    rf"(?P<phrase>{_alternation(o for o in _OUTCOMES if ' ' in o)})\b"
)
_PHRASE_AFTER_RE = re.compile(
    rf"(?:\s+{_WORD}){{0,3}}?\s+(?P<phrase>{_alternation(o for o in _OUTCOMES if ' ' in o)})\b"
)
_PARTICIPLES = _alternation(o for o in _OUTCOMES if " " not in o)
_PARTICIPLE_AFTER_RE = re.compile(rf"(?:\s+(?P<between>{_WORD}))?\s+(?P<part>{_PARTICIPLES})\b")


def _ending_before(words: Iterable[str], allow_prefix: bool = True) -> re.Pattern[str]:
    """A pattern for one of ``words`` ending right before a count (searched with ``endpos``)."""
    prefix = rf"(?:(?:{_PREFIXES})\s+)?" if allow_prefix else ""
    alternatives = "|".join(
        re.escape(w).replace(r"\ ", r"\s+") + ("\\s*" if w.endswith("'") else r"\s+")
        for w in sorted(set(words), key=len, reverse=True)
    )
    return re.compile(rf"(?<!\w)(?:{alternatives}){prefix}$")


_VERB_BEFORE_RE = _ending_before(_VERBS_BEFORE)
_SUBSET_BEFORE_RE = _ending_before(_DATA["subset_markers"])
_IDENTIFIER_BEFORE_RE = re.compile(
    rf"(?<!\w)(?:{_alternation(_with_unaccented(_DATA['identifier_words']))})\.?\s*$"
)
_YEAR_BEFORE_RE = _ending_before(_DATA["year_context"], allow_prefix=False)
_LIST_LINK_RE = re.compile(r"\s*(?:,|et)\s*")
_YEAR_LIKE = re.compile(r"(?:19|20)\d\d|2100")
_LOOKBEHIND = 40  # characters searched before a count for verbs and guards


@dataclass(frozen=True, slots=True)
class _Found:
    mention: QuantityMention
    subset: bool  # "dont 5 soldats": part of a count already made
    verb_key: str | None = None  # key given by a verb before the count ("tuant trois soldats")


def find_quantities(text: str) -> list[QuantityMention]:
    """Every counted quantity of ``text``, with offsets into ``text``."""
    return [found.mention for found in _scan(text)]


def size_of(text: str) -> dict[str, int] | None:
    """The quantities of ``text`` merged by key: {"killed": 1, "injured": 3}; None if none.

    Different counts of one key add up ("trois soldats et deux policiers": 5 persons); a count
    repeated with the same value ("200 soldats ... les 200 soldats") and a subset ("dont 5
    soldats") add nothing.
    """
    size: dict[str, int] = {}
    seen: set[tuple[str, int]] = set()
    for found in _scan(text):
        mention = found.mention
        if found.subset or (mention.key, mention.value) in seen:
            continue
        seen.add((mention.key, mention.value))
        size[mention.key] = size.get(mention.key, 0) + mention.value
    return size or None


def _scan(text: str) -> list[_Found]:
    lower = lower_keep_offsets(text)
    found: list[_Found] = []
    for match in _COUNT_RE.finditer(lower):
        item = _counted_noun(lower, match, found[-1] if found else None)
        if item is not None:
            found.append(item)
    for match in _BARE_RE.finditer(lower):
        if any(f.mention.start <= match.start() < f.mention.end for f in found):
            continue
        item = _bare_count(lower, match)
        if item is not None:
            found.append(item)
    return sorted(found, key=lambda f: f.mention.start)


def _counted_noun(lower: str, match: re.Match[str], previous: _Found | None) -> _Found | None:
    start = match.start()
    value = _count_value(lower, match)
    if value is None:
        return None
    noun = match.group("noun")
    key, end = _NOUNS[noun], match.end()
    verb_key = None
    if key == "persons":
        key, end = _outcome_after(lower, end, key)
        if key == "persons":
            verb_key = _verb_before(lower, start) or _listed_after(lower, start, previous)
            key = verb_key or key
    one_counts = key in _COUNT_ONE_FOR and noun not in _EVENT_NOUNS
    if value == 1 and not match.group("approx") and not one_counts:
        return None  # "un soldat", "une arrestation": an article, not a count
    mention = QuantityMention(start=start, end=end, key=key, value=value)
    return _Found(mention, subset=_is_subset(lower, start), verb_key=verb_key)


def _count_value(lower: str, match: re.Match[str]) -> int | None:
    """The number of a count, None for identifiers, years and malformed counts."""
    if _excluded_before(lower, match.start(), match.group("num")):
        return None
    if match.group("approx"):
        value = _value(match.group("anum"))
        value = value * _APPROXIMATIONS[match.group("approx").rstrip("s")] if value else None
        needs_de = True  # "une trentaine de terroristes"
    else:
        last_word = match.group("num").split()[-1]
        value = _value(match.group("num"))
        needs_de = _MULTIPLIERS.get(last_word, 0) >= 1_000_000  # "deux millions de personnes"
    has_de = match.group("link").strip() != ""
    return value if has_de == needs_de else None


def _listed_after(lower: str, start: int, previous: _Found | None) -> str | None:
    """ "a tué trois soldats et deux civils": a count listed after one keyed by a verb shares it."""
    if previous is None or previous.verb_key is None:
        return None
    between = lower[previous.mention.end : start]
    return previous.verb_key if _LIST_LINK_RE.fullmatch(between) else None


def _bare_count(lower: str, match: re.Match[str]) -> _Found | None:
    number = match.group("num")
    value = _value(number)
    if value is None or value < 2 or _excluded_before(lower, match.start(), number):
        return None
    if _YEAR_LIKE.fullmatch(number):
        return None  # "janvier 2015 ont été arrêtés": without a noun, a year-like number is a year
    key = _OUTCOMES[re.sub(r"\s+", " ", match.group("phrase"))]
    mention = QuantityMention(start=match.start(), end=match.end(), key=key, value=value)
    return _Found(mention, subset=_is_subset(lower, match.start()))


def _outcome_after(lower: str, noun_end: int, key: str) -> tuple[str, int]:
    """Key given by a participle or passive after a counted person, and the new mention end."""
    phrase = _PHRASE_AFTER_RE.match(lower, noun_end)
    if phrase is not None:
        return _OUTCOMES[re.sub(r"\s+", " ", phrase.group("phrase"))], noun_end
    participle = _PARTICIPLE_AFTER_RE.match(lower, noun_end)
    if participle is not None and participle.group("between") not in _AUXILIARIES:
        end = participle.end() if participle.group("between") is None else noun_end
        return _OUTCOMES[participle.group("part")], end
    return key, noun_end


def _verb_before(lower: str, start: int) -> str | None:
    match = _VERB_BEFORE_RE.search(lower, max(0, start - _LOOKBEHIND), start)
    if match is None:
        return None
    verb = re.sub(r"\s+", " ", match.group(0)).strip()
    for candidate in sorted(_VERBS_BEFORE, key=len, reverse=True):
        if verb.startswith(candidate):
            return _VERBS_BEFORE[candidate]
    return None


def _is_subset(lower: str, start: int) -> bool:
    window = max(0, start - _LOOKBEHIND)
    return _SUBSET_BEFORE_RE.search(lower, window, start) is not None


def _excluded_before(lower: str, start: int, number: str | None) -> bool:
    """Identifiers ("résolution 2703") and years after a year word ("en 2000") are no counts."""
    window = max(0, start - _LOOKBEHIND)
    if _IDENTIFIER_BEFORE_RE.search(lower, window, start):
        return True
    is_year = number is not None and _YEAR_LIKE.fullmatch(number) is not None
    return is_year and _YEAR_BEFORE_RE.search(lower, window, start) is not None


def _value(number: str | None) -> int | None:
    return parse_count(number) if number else None
