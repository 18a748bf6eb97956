"""Stage 2: split a document into paragraphs, drop web boilerplate and non-French text,
and flag near-duplicate documents.

Paragraphs are exact slices of ``Document.text`` (``text == document.text[start:end]``),
so whatever is kept keeps its original offsets. The boilerplate rules are data
(``data/boilerplate.yaml``); this module only applies them.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from veille.cache import cached
from veille.lang import DEFAULT_LANGUAGE, language_yaml
from veille.model import CleanDocument, Document, Paragraph

#: Languages the identifier chooses among: what the region's press is written in.
EXPECTED_LANGUAGES = ("fr", "es", "en", "ar", "de", "it", "pt")
#: Below this length a paragraph's language is too uncertain to overrule the document's.
SHORT_PARAGRAPH_CHARS = 40
SHORT_PARAGRAPH_MIN_PROBABILITY = 0.95
#: MinHash settings for near-duplicate detection.
SHINGLE_WORDS = 5
MINHASH_PERMUTATIONS = 64
NEAR_DUPLICATE_THRESHOLD = 0.8
#: Near-duplicates are looked for among this many most recent documents of a run, so memory
#: stays bounded whatever the corpus size (about 1 kB a document).
NEAR_DUPLICATE_WINDOW = 50_000

_LINE = re.compile(r"[^\n]+")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class BoilerplateRules:
    line_rules: tuple[tuple[str, re.Pattern[str]], ...]
    block_rules: tuple[tuple[str, re.Pattern[str]], ...]
    tail_share: float
    teaser_max_chars: int

    @classmethod
    def load(cls, languages: Sequence[str] = (DEFAULT_LANGUAGE,)) -> BoilerplateRules:
        """The page-furniture rules of every language in ``languages`` (a French page may
        carry an English "Read more"); the thresholds are those of the first."""
        data = [language_yaml(language, "boilerplate.yaml") for language in languages]
        return cls(
            line_rules=tuple(r for d in data for r in _compile_groups(d["line_rules"])),
            block_rules=tuple(r for d in data for r in _compile_groups(d["block_rules"])),
            tail_share=float(data[0]["tail_share"]),
            teaser_max_chars=int(data[0]["teaser_max_chars"]),
        )

    def line_rule(self, line: str) -> str | None:
        """Name of the first line rule ``line`` matches, or None."""
        return _first_match(self.line_rules, line)

    def block_rule(self, line: str) -> str | None:
        return _first_match(self.block_rules, line)


def _compile_groups(groups: dict[str, list[str]]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple(
        (group, re.compile(pattern, re.IGNORECASE))
        for group, patterns in groups.items()
        for pattern in patterns
    )


def _first_match(rules: Iterable[tuple[str, re.Pattern[str]]], line: str) -> str | None:
    for group, pattern in rules:
        if pattern.search(line):
            return group
    return None


def split_paragraphs(text: str) -> list[tuple[int, int]]:
    """Spans of the non-blank lines of ``text``, stripped of surrounding spaces."""
    spans = []
    for match in _LINE.finditer(text):
        line = match.group()
        stripped = line.strip()
        if not stripped:
            continue
        start = match.start() + (len(line) - len(line.lstrip()))
        spans.append((start, start + len(stripped)))
    return spans


def boilerplate_reasons(lines: Sequence[str], rules: BoilerplateRules) -> list[str | None]:
    """For each line, the boilerplate rule that drops it, or None to keep it."""
    reasons: list[str | None] = [rules.line_rule(line) for line in lines]
    total_chars = sum(len(line) for line in lines) or 1
    chars_before = 0
    index = 0
    while index < len(lines):
        line = lines[index]
        block = rules.block_rule(line)
        if block is None:
            chars_before += len(line)
            index += 1
            continue
        reasons[index] = block
        in_tail = chars_before / total_chars >= 1 - rules.tail_share
        index += 1
        while index < len(lines) and (in_tail or _is_teaser(lines[index], rules)):
            reasons[index] = reasons[index] or block
            chars_before += len(lines[index])
            index += 1
    return reasons


def _is_teaser(line: str, rules: BoilerplateRules) -> bool:
    return len(line) <= rules.teaser_max_chars or line.rstrip().endswith(("...", "…"))


class LanguageIdentifier:
    """py3langid restricted to the expected languages; short lines defer to the document."""

    def __init__(self, languages: Sequence[str] = EXPECTED_LANGUAGES) -> None:
        # Decoding the model takes most of a second: the restricted model is cached on disk.
        name = "langid_" + "_".join(languages)
        self._identifier = cached(
            name, lambda: _restricted_model(languages), packages=["py3langid"]
        )

    def classify(self, text: str) -> tuple[str, float]:
        language, probability = self._identifier.classify(text)
        return str(language), float(probability)

    def paragraph_languages(self, paragraphs: Sequence[str]) -> list[str]:
        document = self.classify("\n".join(paragraphs))
        languages = []
        for text in paragraphs:
            # A one-paragraph document is its paragraph: classified once.
            language, probability = document if len(paragraphs) == 1 else self.classify(text)
            uncertain = (
                len(text) < SHORT_PARAGRAPH_CHARS and probability < SHORT_PARAGRAPH_MIN_PROBABILITY
            )
            languages.append(document[0] if uncertain else language)
        return languages


def _restricted_model(languages: Sequence[str]):  # noqa: ANN202 - py3langid's identifier
    from py3langid.langid import MODEL_FILE
    from py3langid.langid import LanguageIdentifier as _Identifier

    identifier = _Identifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(languages))
    # Only the restricted model is kept (the full one is 30 times larger on disk).
    identifier._full_model = identifier.nb_ptc, identifier.nb_pc, identifier.nb_classes
    return identifier


class NearDuplicateIndex:
    """MinHash LSH over word shingles: remembers documents and names an earlier near-copy.

    The banding of datasketch's ``MinHashLSH`` for the threshold, with compact buckets (a
    64-bit hash of each band) and a bounded memory: the last ``window`` documents. The first
    document's signature is computed only when a second one comes (it has nothing to match),
    so that a one-document run never imports datasketch (and scipy): half a second of start-up.
    """

    def __init__(
        self, threshold: float = NEAR_DUPLICATE_THRESHOLD, window: int = NEAR_DUPLICATE_WINDOW
    ) -> None:
        self._threshold = threshold
        self._buckets: list[dict[int, list[str]]] = []
        self._order: deque[tuple[str, tuple[int, ...]]] = deque()  # oldest first
        self._seen: set[str] = set()
        self._window = window
        self._first: tuple[str, str] | None = None  # (doc_id, text) not yet signed

    def check_and_add(self, doc_id: str, text: str) -> str | None:
        """The doc_id of a near-duplicate seen before, or None; then remember this document."""
        if doc_id in self._seen:
            return None
        if not self._order and self._first is None:
            self._first = (doc_id, text)
            self._seen.add(doc_id)
            return None
        if self._first is not None:
            self._remember(*self._first)
            self._first = None
        keys = self._keys(text)
        matches = {
            other
            for key, buckets in zip(keys, self._buckets, strict=True)
            for other in buckets.get(key, ())
        }
        self._seen.add(doc_id)
        self._remember(doc_id, text, keys)
        return min(matches) if matches else None

    def _keys(self, text: str) -> tuple[int, ...]:
        bands = _bands(self._threshold)
        if not self._buckets:
            self._buckets = [{} for _ in bands]
        values = minhash(text).hashvalues
        return tuple(hash(values[start:end].tobytes()) for start, end in bands)

    def _remember(self, doc_id: str, text: str, keys: tuple[int, ...] | None = None) -> None:
        keys = keys if keys is not None else self._keys(text)
        for key, buckets in zip(keys, self._buckets, strict=True):
            buckets.setdefault(key, []).append(doc_id)
        self._order.append((doc_id, keys))
        if len(self._order) > self._window:
            self._forget(*self._order.popleft())

    def _forget(self, doc_id: str, keys: tuple[int, ...]) -> None:
        self._seen.discard(doc_id)
        for key, buckets in zip(keys, self._buckets, strict=True):
            ids = buckets[key]
            ids.remove(doc_id)
            if not ids:
                del buckets[key]

    def __len__(self) -> int:
        return len(self._order) + (self._first is not None)


@lru_cache(maxsize=4)
def _bands(threshold: float) -> list[tuple[int, int]]:
    """The (start, end) of each band of the signature, as ``MinHashLSH`` sets them."""
    from datasketch import MinHashLSH

    return list(MinHashLSH(threshold=threshold, num_perm=MINHASH_PERMUTATIONS).hashranges)


def minhash(text: str):  # noqa: ANN201 - datasketch.MinHash, imported lazily
    from datasketch import MinHash

    words = _WORD.findall(text.lower())
    shingles = {
        " ".join(words[i : i + SHINGLE_WORDS])
        for i in range(max(len(words) - SHINGLE_WORDS + 1, 1))
    }
    # The permutations depend only on the seed: drawn once, not for every document.
    default = _default_minhash()
    signature = MinHash(
        num_perm=MINHASH_PERMUTATIONS, permutations=default.permutations, scheme=default.scheme
    )
    signature.update_batch([s.encode("utf-8") for s in shingles])
    return signature


@lru_cache(maxsize=1)
def _default_minhash():  # noqa: ANN202 - datasketch.MinHash
    from datasketch import MinHash

    return MinHash(num_perm=MINHASH_PERMUTATIONS)


class Cleaner:
    """Turns ``Document``s into ``CleanDocument``s; keeps state for near-duplicate detection."""

    def __init__(
        self, rules: BoilerplateRules | None = None, coded: Sequence[str] = (DEFAULT_LANGUAGE,)
    ) -> None:
        """``coded``: the languages whose paragraphs are kept for coding; the others are
        dropped with reason ``language:<code>`` (the document is still stored)."""
        self.coded = tuple(coded)
        self.rules = rules or default_rules(self.coded)
        self.languages = default_language_identifier()
        self.duplicates = NearDuplicateIndex()

    def clean(self, document: Document) -> CleanDocument:
        spans = split_paragraphs(document.text)
        lines = [document.text[start:end] for start, end in spans]
        reasons = boilerplate_reasons(lines, self.rules)
        languages = self.languages.paragraph_languages(lines) if lines else []
        paragraphs = []
        for (start, end), line, reason, language in zip(
            spans, lines, reasons, languages, strict=True
        ):
            if reason is None and language not in self.coded:
                reason = f"language:{language}"
            elif reason is not None:
                reason = f"boilerplate:{reason}"
            paragraphs.append(Paragraph(start, end, line, language, reason is None, reason))
        kept_text = "\n".join(p.text for p in paragraphs if p.kept)
        duplicate_of = self.duplicates.check_and_add(document.doc_id, kept_text)
        return CleanDocument(document, tuple(paragraphs), duplicate_of)


@lru_cache(maxsize=4)
def default_rules(languages: tuple[str, ...] = (DEFAULT_LANGUAGE,)) -> BoilerplateRules:
    return BoilerplateRules.load(languages)


@lru_cache(maxsize=1)
def default_language_identifier() -> LanguageIdentifier:
    return LanguageIdentifier()
