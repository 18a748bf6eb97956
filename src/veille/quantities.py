"""Counted quantities in news text: "200 soldats", "un mort et trois blessés", "12 were killed".

A quantity is a number (digits with the language's thousands separators, or number words
such as "quatre-vingt-dix-sept" or "twenty-one", or an approximation such as "une trentaine
de") followed by a counted noun of the language's ``veille/lang/<code>/quantities.yaml``. The
noun gives the size key ("persons", "killed", "injured", ...); a participle or passive after a
person noun ("deux soldats tués", "three civilians were wounded") or a verb before the count
("tuant cinq soldats", "killing five soldiers") turns the count of persons into a count of
casualties. Years, dates, percentages, money, ordinals, ages and identifiers ("la résolution
2703") are never counted: they lack a counted noun or are excluded by the guards below.

All knowledge of a language lives in its ``quantities.yaml``; the code below is the same for
every language. Each public function takes ``language`` (a code of ``veille/lang/``), French
by default.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from veille.lang import DEFAULT_LANGUAGE, language_yaml
from veille.lexicon import fold
from veille.model import QuantityMention

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
    """Regex alternation of literal words, longest first so that "millions" beats "million".

    An empty set of words gives a pattern that never matches.
    """
    unique = sorted(set(words), key=lambda w: (-len(w), w))
    if not unique:
        return "(?!)"
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in unique)


def _with_unaccented(words: Iterable[str]) -> set[str]:
    """The words and their unaccented spellings (text typed without accents still matches)."""
    found = set(words)
    return found | {fold(w) for w in found}


def _words(data: Mapping[str, Any], key: str) -> list[str]:
    """The list of words under ``key``, checked to be strings (YAML reads a bare no as False)."""
    words = data[key] or []
    for word in words:
        if not isinstance(word, str):
            raise TypeError(f"quantities.yaml: {key} holds {word!r}, not a string: quote it")
    return list(words)


def _sections(data: Mapping[str, Any], key: str) -> dict[str, list[str]]:
    """A section of lists of words by size key ("killed": [...])."""
    section = data[key] or {}
    return {str(name): _words(section, name) for name in section}


_WORD = r"[^\W\d_][\w'-]*"
_WORD_TOKEN_RE = re.compile(r"[^\s-]+")
_YEAR_LIKE = re.compile(r"(?:19|20)\d\d|2100")
_LOOKBEHIND = 40  # characters searched before a count for verbs and guards


@dataclass(frozen=True, slots=True)
class _Found:
    mention: QuantityMention
    subset: bool  # "dont 5 soldats": part of a count already made
    verb_key: str | None = None  # key given by a verb before the count ("tuant trois soldats")


class _Quantities:
    """The patterns and tables of one language, built from its ``quantities.yaml``."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._inflection_rules = sorted(
            (
                (str(ending), tuple(str(f) for f in forms))
                for ending, forms in data["inflections"].items()
            ),
            key=lambda rule: -len(rule[0]),
        )
        self._build_numbers(data)
        self._build_nouns(data)

    # --- tables ---------------------------------------------------------------------

    def _inflections(self, phrase: str) -> set[str]:
        """A noun, participle or phrase with the forms of its last word (plural, feminine)."""
        head, _, last = phrase.rpartition(" ")
        prefix = head + " " if head else ""
        for ending, forms in self._inflection_rules:
            if last.endswith(ending):
                stem = last[: len(last) - len(ending)]
                return {prefix + stem + form for form in forms}
        return {phrase}

    def _key_table(self, section: dict[str, list[str]], inflect: bool) -> dict[str, str]:
        table: dict[str, str] = {}
        for key, words in section.items():
            for word in words:
                forms = self._inflections(word) if inflect else {word}
                for form in _with_unaccented(forms):
                    table.setdefault(form, key)
        return table

    def _build_numbers(self, data: Mapping[str, Any]) -> None:
        self.small: dict[str, int] = {}
        for word, value in data["number_words"].items():
            for variant in _with_unaccented([str(word)]):
                self.small[variant] = int(value)
        self.multipliers: dict[str, int] = {
            variant: int(value)
            for word, value in data["number_multipliers"].items()
            for variant in _with_unaccented([str(word)])
        }
        self.approximations: dict[str, int] = {
            form: int(value)
            for word, value in data["approximations"].items()
            for form in _with_unaccented(self._inflections(str(word)))
        }
        self.connectors: dict[str, tuple[frozenset[int], frozenset[str]]] = {
            str(word): (
                frozenset(int(a) for a in spec["after"]),
                frozenset(_with_unaccented(_words(spec, "before"))),
            )
            for word, spec in (data["number_connectors"] or {}).items()
        }
        self.sequences: dict[int, tuple[int, int]] = {
            int(tens): (int(low), int(high))
            for tens, (low, high) in (data["number_sequences"] or {}).items()
        }
        self.compounds: dict[tuple[str, str], int] = {}
        for words, value in (data["number_compounds"] or {}).items():
            first, second = str(words).split()
            self.compounds[(first, second)] = int(value)

        number_word = rf"(?:{_alternation([*self.small, *self.multipliers])})"
        steps = [rf"(?:-|\s+)(?:{number_word})"]
        for word, (_after, before) in self.connectors.items():
            joint = re.escape(word)
            steps.append(rf"(?:\s+{joint}\s+|-{joint}-)(?:{_alternation(before)})")
        number_words = rf"\b{number_word}(?:{'|'.join(steps)})*\b"
        separators = "".join(re.escape(s) for s in _words(data, "thousands_separators"))
        decimal = re.escape(str(data["decimal_separator"]))
        # Digits: "200", "1 200" / "1.200" / "1,200" (thousands groups), "1,5" (before "million").
        digits = (
            rf"(?<![\w.,/-])(?:\d{{1,3}}(?:[{separators}]\d{{3}})+(?![\d])|\d+)"
            rf"(?:{decimal}\d+)?(?![\w%])"
        )
        big = _alternation(k for k, v in self.multipliers.items() if v >= 1_000_000)
        self.number_re = re.compile(rf"(?:{digits}(?:\s+(?:{big})\b)?|{number_words})")
        self._digits_re = re.compile(
            rf"(\d[\d{separators}]*?)(?:{decimal}(\d+))?(?:\s+([^\W\d_]+))?"
        )
        self._separators_re = re.compile(rf"[{separators}]")

    def _build_nouns(self, data: Mapping[str, Any]) -> None:
        self.event_nouns = self._key_table(_sections(data, "event_nouns"), inflect=True)
        self.nouns = {**self.event_nouns, **self._key_table(_sections(data, "nouns"), True)}
        outcomes = self._key_table(_sections(data, "outcomes"), inflect=True)
        self.participles = {form: key for form, key in outcomes.items() if " " not in form}
        self.phrases = {form: key for form, key in outcomes.items() if " " in form}
        for form, key in self._key_table(_sections(data, "outcome_verbs"), False).items():
            self.phrases.setdefault(form, key)
        self.verbs_before = self._key_table(_sections(data, "verbs_before"), inflect=False)
        self.count_one_for = frozenset(_words(data, "count_one_for"))
        self.auxiliaries = frozenset(_words(data, "auxiliaries"))
        self.count_links = _words(data, "count_links")
        self.active_participles = bool(data["participle_before_count_is_verb"])

        number = self.number_re.pattern
        approx = _alternation(self.approximations)
        modifiers = _alternation(_with_unaccented(_words(data, "modifiers")))
        endings = _words(data, "modifier_endings")
        if endings:
            modifiers += rf"|[^\W\d_][\w'-]*(?:{_alternation(endings)})"
        links = [
            rf"\s+{re.escape(w)}" + ("" if w.endswith("'") else r"\s+") for w in self.count_links
        ]
        link = "|".join([*links, r"\s+"])
        self.prefixes = _alternation(_words(data, "approximation_prefixes"))

        self.count_re = re.compile(
            rf"(?:(?P<anum>{number})\s+(?P<approx>{approx})\b|(?P<num>{number}))"
            rf"(?P<link>{link})(?:(?:{modifiers})\s+){{0,2}}"
            rf"(?P<noun>{_alternation(self.nouns)})\b"
        )
        # A bare count followed by an outcome: "au moins 30 ont péri".
        phrases = _alternation(self.phrases)
        self.bare_re = re.compile(rf"(?P<num>{number})\s+(?P<phrase>{phrases})\b")
        self.phrase_after_re = re.compile(rf"(?:\s+{_WORD}){{0,3}}?\s+(?P<phrase>{phrases})\b")
        self.participle_after_re = re.compile(
            rf"(?:\s+(?P<between>{_WORD}))?\s+(?P<part>{_alternation(self.participles)})\b"
        )
        self.after_verb_re = re.compile(rf"\s+(?:(?:{self.prefixes})\s+)?")
        # A bare count after a verb: "killing two and wounding three".
        followers = _words(data, "bare_count_followers")
        self.verb_bare_re: re.Pattern[str] | None = None
        if followers:
            marks = [f for f in followers if not f[:1].isalpha()]
            names = [f for f in followers if f[:1].isalpha()]
            after = rf"\s*(?:{_alternation(marks)})|\s+(?:{_alternation(names)})\b|\s*$"
            self.verb_bare_re = re.compile(rf"(?P<num>{number})(?={after})")

        self.verb_before_re = self._ending_before(self.verbs_before)
        self.subset_before_re = self._ending_before(_words(data, "subset_markers"))
        identifiers = _alternation(_with_unaccented(_words(data, "identifier_words")))
        self.identifier_before_re = re.compile(rf"(?<!\w)(?:{identifiers})\.?\s*$")
        self.year_before_re = self._ending_before(_words(data, "year_context"), False)
        self.list_link_re = re.compile(rf"\s*(?:{_alternation(_words(data, 'list_links'))})\s*")

    def _ending_before(self, words: Iterable[str], allow_prefix: bool = True) -> re.Pattern[str]:
        """A pattern for one of ``words`` ending right before a count (searched with ``endpos``)."""
        prefix = rf"(?:(?:{self.prefixes})\s+)?" if allow_prefix else ""
        alternatives = "|".join(
            re.escape(w).replace(r"\ ", r"\s+") + ("\\s*" if w.endswith("'") else r"\s+")
            for w in sorted(set(words), key=len, reverse=True)
        )
        return re.compile(rf"(?<!\w)(?:{alternatives or '(?!)'}){prefix}$")

    # --- numbers ----------------------------------------------------------------------

    def parse_number_words(self, expression: str) -> int | None:
        tokens = _WORD_TOKEN_RE.findall(lower_keep_offsets(expression))
        if not tokens:
            return None
        total = 0  # millions and thousands already closed
        group = 0  # the part below a thousand being read
        previous = ""
        for index, token in enumerate(tokens):
            compound = self.compounds.get((previous, token))
            if token in self.connectors:
                after, before = self.connectors[token]
                following = tokens[index + 1] if index + 1 < len(tokens) else ""
                if index == 0 or group % 100 not in after or following not in before:
                    return None
            elif compound is not None and group % 100 == self.small.get(previous):
                group += compound - self.small[previous]  # quatre-vingt: 4 * 20
            elif token in self.small:
                value = self.small[token]
                if value >= 100 and group:
                    return None  # "doscientos" opens a group
                if not self._may_add(group % 100, value):
                    return None
                group += value
            elif self.multipliers.get(token) == 100:
                if group > 9:
                    return None
                group = (group or 1) * 100
            elif token in self.multipliers:
                multiplier = self.multipliers[token]
                if total and total % (multiplier * 1000) != 0:
                    return None  # "mille deux mille": a smaller order already closed
                total += (group or 1) * multiplier
                group = 0
            else:
                return None
            previous = token
        return total + group

    def _may_add(self, below_hundred: int, value: int) -> bool:
        """Whether a number word may follow what was read below the hundred ("vingt" + "deux")."""
        if below_hundred == 0:
            return True
        allowed = self.sequences.get(below_hundred)
        return allowed is not None and allowed[0] <= value <= allowed[1]

    def parse_count(self, expression: str) -> int | None:
        text = lower_keep_offsets(expression).strip()
        digits = self._digits_re.fullmatch(text)
        if digits is None:
            return self.parse_number_words(text)
        whole = int(self._separators_re.sub("", digits.group(1)))
        decimals = digits.group(2)
        multiplier_word = digits.group(3)
        multiplier = self.multipliers.get(multiplier_word, 0) if multiplier_word else 1
        if not multiplier:
            return None
        if decimals is None:
            return whole * multiplier
        if multiplier == 1:
            return None  # "1,5 soldat": not a count
        return round(float(f"{whole}.{decimals}") * multiplier)

    def _value(self, number: str | None) -> int | None:
        return self.parse_count(number) if number else None

    # --- counts -----------------------------------------------------------------------

    def scan(self, text: str) -> list[_Found]:
        lower = lower_keep_offsets(text)
        found: list[_Found] = []
        for match in self.count_re.finditer(lower):
            item = self._counted_noun(lower, match, found[-1] if found else None)
            if item is not None:
                found.append(item)
        for match in self.bare_re.finditer(lower):
            if not _inside(found, match.start()):
                item = self._bare_count(lower, match)
                if item is not None:
                    found.append(item)
        if self.verb_bare_re is not None:
            for match in self.verb_bare_re.finditer(lower):
                if not _inside(found, match.start()):
                    item = self._verb_bare_count(lower, match)
                    if item is not None:
                        found.append(item)
        return sorted(found, key=lambda f: f.mention.start)

    def _counted_noun(
        self, lower: str, match: re.Match[str], previous: _Found | None
    ) -> _Found | None:
        start = match.start()
        value = self._count_value(lower, match)
        if value is None:
            return None
        noun = re.sub(r"\s+", " ", match.group("noun"))  # "casques\nbleus"
        key, end = self.nouns[noun], match.end()
        verb_key = None
        if key == "persons":
            key, end = self._outcome_after(lower, end, key)
            if key == "persons":
                verb_key = self._verb_before(lower, start) or self._listed_after(
                    lower, start, previous
                )
                key = verb_key or key
        one_counts = key in self.count_one_for and noun not in self.event_nouns
        if value == 1 and not match.group("approx") and not one_counts:
            return None  # "un soldat", "une arrestation": an article, not a count
        mention = QuantityMention(start=start, end=end, key=key, value=value)
        return _Found(mention, subset=self._is_subset(lower, start), verb_key=verb_key)

    def _count_value(self, lower: str, match: re.Match[str]) -> int | None:
        """The number of a count, None for identifiers, years and malformed counts."""
        if self._excluded_before(lower, match.start(), match.group("num")):
            return None
        if match.group("approx"):
            value = self._value(match.group("anum"))
            approx = self.approximations[re.sub(r"\s+", " ", match.group("approx"))]
            value = value * approx if value else None
            needs_link = True  # "une trentaine de terroristes"
        else:
            last_word = match.group("num").split()[-1]
            value = self._value(match.group("num"))
            # "deux millions de personnes"
            needs_link = self.multipliers.get(last_word, 0) >= 1_000_000
        needs_link = needs_link and bool(self.count_links)
        has_link = match.group("link").strip() != ""
        return value if has_link == needs_link else None

    def _listed_after(self, lower: str, start: int, previous: _Found | None) -> str | None:
        """ "a tué trois soldats et deux civils": a count listed after one keyed by a verb."""
        if previous is None or previous.verb_key is None:
            return None
        between = lower[previous.mention.end : start]
        return previous.verb_key if self.list_link_re.fullmatch(between) else None

    def _bare_count(self, lower: str, match: re.Match[str]) -> _Found | None:
        number = match.group("num")
        value = self._value(number)
        if value is None or value < 2 or self._excluded_before(lower, match.start(), number):
            return None
        if _YEAR_LIKE.fullmatch(number):
            return None  # "janvier 2015 ont été arrêtés": without a noun, a year is a year
        key = self.phrases[re.sub(r"\s+", " ", match.group("phrase"))]
        mention = QuantityMention(start=match.start(), end=match.end(), key=key, value=value)
        return _Found(mention, subset=self._is_subset(lower, match.start()))

    def _verb_bare_count(self, lower: str, match: re.Match[str]) -> _Found | None:
        """ "killing two and wounding three": a number without a noun after a verb."""
        number = match.group("num")
        value = self._value(number)
        if value is None or _YEAR_LIKE.fullmatch(number):
            return None
        if self._excluded_before(lower, match.start(), number):
            return None
        key = self._verb_before(lower, match.start())
        if key is None or (value == 1 and key not in self.count_one_for):
            return None
        mention = QuantityMention(start=match.start(), end=match.end(), key=key, value=value)
        return _Found(mention, subset=self._is_subset(lower, match.start()))

    def _outcome_after(self, lower: str, noun_end: int, key: str) -> tuple[str, int]:
        """Key given by a participle or passive after a counted person, and the new end."""
        phrase = self.phrase_after_re.match(lower, noun_end)
        if phrase is not None:
            return self.phrases[re.sub(r"\s+", " ", phrase.group("phrase"))], noun_end
        participle = self.participle_after_re.match(lower, noun_end)
        if participle is not None and participle.group("between") not in self.auxiliaries:
            if self.active_participles and self._count_follows(lower, participle.end()):
                return key, noun_end  # "two gunmen killed 12 people": an active verb
            end = participle.end() if participle.group("between") is None else noun_end
            return self.participles[participle.group("part")], end
        return key, noun_end

    def _count_follows(self, lower: str, position: int) -> bool:
        """Whether a count (with a noun, or bare before a pause) starts after ``position``."""
        space = self.after_verb_re.match(lower, position)
        if space is None:
            return False
        start = space.end()
        if self.count_re.match(lower, start) is not None:
            return True
        return self.verb_bare_re is not None and self.verb_bare_re.match(lower, start) is not None

    def _verb_before(self, lower: str, start: int) -> str | None:
        match = self.verb_before_re.search(lower, max(0, start - _LOOKBEHIND), start)
        if match is None:
            return None
        verb = re.sub(r"\s+", " ", match.group(0)).strip()
        for candidate in sorted(self.verbs_before, key=len, reverse=True):
            if verb.startswith(candidate):
                return self.verbs_before[candidate]
        return None

    def _is_subset(self, lower: str, start: int) -> bool:
        window = max(0, start - _LOOKBEHIND)
        return self.subset_before_re.search(lower, window, start) is not None

    def _excluded_before(self, lower: str, start: int, number: str | None) -> bool:
        """Identifiers ("résolution 2703") and years after a year word ("en 2000") aren't counts."""
        window = max(0, start - _LOOKBEHIND)
        if self.identifier_before_re.search(lower, window, start):
            return True
        is_year = number is not None and _YEAR_LIKE.fullmatch(number) is not None
        return is_year and self.year_before_re.search(lower, window, start) is not None


def _inside(found: list[_Found], position: int) -> bool:
    return any(f.mention.start <= position < f.mention.end for f in found)


@cache
def _quantities(language: str) -> _Quantities:
    """The patterns of ``language``, built once from its ``quantities.yaml``."""
    return _Quantities(language_yaml(language, "quantities.yaml"))


# --- public API ---------------------------------------------------------------------------


def number_pattern(language: str = DEFAULT_LANGUAGE) -> str:
    """A regex for a number in digits or words of ``language`` ("il y a trois jours")."""
    return _quantities(language).number_re.pattern


#: A number in digits or words of the default language (French), for other modules' patterns.
NUMBER_PATTERN = number_pattern()


def parse_number_words(expression: str, *, language: str = DEFAULT_LANGUAGE) -> int | None:
    """Value of number words ("quatre-vingt-dix-sept" -> 97), None if not a number."""
    return _quantities(language).parse_number_words(expression)


def parse_count(expression: str, *, language: str = DEFAULT_LANGUAGE) -> int | None:
    """Value of a number written in digits or in words ("1 200", "2 millions", "trois")."""
    return _quantities(language).parse_count(expression)


def find_quantities(text: str, *, language: str = DEFAULT_LANGUAGE) -> list[QuantityMention]:
    """Every counted quantity of ``text``, with offsets into ``text``."""
    return [found.mention for found in _quantities(language).scan(text)]


def size_of(text: str, *, language: str = DEFAULT_LANGUAGE) -> dict[str, int] | None:
    """The quantities of ``text`` merged by key: {"killed": 1, "injured": 3}; None if none.

    Different counts of one key add up ("trois soldats et deux policiers": 5 persons); a count
    repeated with the same value ("200 soldats ... les 200 soldats") and a subset ("dont 5
    soldats") add nothing.
    """
    size: dict[str, int] = {}
    seen: set[tuple[str, int]] = set()
    for found in _quantities(language).scan(text):
        mention = found.mention
        if found.subset or (mention.key, mention.value) in seen:
            continue
        seen.add((mention.key, mention.value))
        size[mention.key] = size.get(mention.key, 0) + mention.value
    return size or None
