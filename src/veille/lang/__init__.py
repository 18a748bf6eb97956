"""What Veille knows of each language it codes: one folder per language, ``veille/lang/<code>/``.

On the model of spaCy's ``spacy/lang/<code>/``, all knowledge of a language lives in its
folder, and the code that reads it is the same for every language:

- ``pipeline.yaml``: the spaCy pipeline that parses the language (an installed package or a
  folder shipped beside it), its licence, and how to install it;
- ``triggers.yaml``: PLOVER event triggers (verb and noun lemmas, phrases) and their roles;
- ``modality.yaml``: negation, plans, conditions, purpose, reporting and support verbs;
- ``grammar.yaml``: the function words the coder reads in a parse (prepositions of place
  and company, possessives, clitics, articles...);
- ``contexts.yaml``: cues of PLOVER contexts;
- ``dates.yaml`` and ``quantities.yaml``: date words, number words, counted nouns;
- ``placing.yaml``: locative prepositions and datelines;
- ``actor_context.yaml`` and ``state_roles.yaml``: how the press refers to states and their
  organs ("the interior ministry", "les soldats");
- ``boilerplate.yaml``: the lines of page furniture ("Lire aussi", "Read more").

Names of states, organs, groups and organisations are shared by every language and stay in
``veille/data/``; each entry lists its names in every language.

To add a language, add its folder with these files and its tests: no code changes.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from veille.lexicon import parse_yaml

LANGUAGE_PACKAGE = "veille.lang"
#: The language of a text whose language is not known.
DEFAULT_LANGUAGE = "fr"
#: Every file a language folder holds.
LANGUAGE_FILES = (
    "pipeline.yaml",
    "triggers.yaml",
    "modality.yaml",
    "grammar.yaml",
    "contexts.yaml",
    "dates.yaml",
    "quantities.yaml",
    "placing.yaml",
    "actor_context.yaml",
    "state_roles.yaml",
    "boilerplate.yaml",
)


class LanguageNotCoded(LookupError):
    """A language without a folder under ``veille/lang/``."""


def language_folder(code: str) -> Traversable:
    folder = resources.files(LANGUAGE_PACKAGE).joinpath(code)
    if not folder.joinpath("pipeline.yaml").is_file():
        raise LanguageNotCoded(f"Veille does not code language {code!r}")
    return folder


@cache
def coded_languages() -> tuple[str, ...]:
    """Codes of the languages with a folder, sorted (whether their parser is installed or not)."""
    root = resources.files(LANGUAGE_PACKAGE)
    return tuple(
        sorted(
            entry.name
            for entry in root.iterdir()
            if entry.is_dir() and entry.joinpath("pipeline.yaml").is_file()
        )
    )


@cache
def language_yaml(code: str, name: str) -> Any:
    """Parse file ``name`` of language ``code`` (cached: treat the result as read-only)."""
    return parse_yaml(language_folder(code).joinpath(name).read_text(encoding="utf-8"))


@cache
def language_name(code: str) -> str:
    """The English name of a language code ("ar" -> "Arabic"), from CLDR (Babel)."""
    from babel import Locale

    return str(Locale("en").languages.get(code, code))
