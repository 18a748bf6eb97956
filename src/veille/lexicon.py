"""Access to the domain knowledge kept as data files under ``veille/data/``.

Code elsewhere stays generic: lexicons, gazetteers and rules are read from here.
"""

from __future__ import annotations

import csv
import unicodedata
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import yaml

DATA_PACKAGE = "veille.data"


def data_text(name: str) -> str:
    return resources.files(DATA_PACKAGE).joinpath(name).read_text(encoding="utf-8")


#: libyaml's safe loader where PyYAML was built with it (the same data, about seven times
#: faster than the pure-Python one: the lexicons are read at every start).
SAFE_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> Any:
    """``yaml.safe_load``, with libyaml where available."""
    return yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader


@cache
def load_yaml(name: str) -> Any:
    """Parse a YAML file of ``veille/data`` (cached: treat the result as read-only)."""
    return parse_yaml(data_text(name))


@cache
def load_csv(name: str) -> tuple[dict[str, str], ...]:
    """Rows of a CSV file of ``veille/data`` as dicts (cached, read-only)."""
    return tuple(csv.DictReader(data_text(name).splitlines()))


@lru_cache(maxsize=1 << 16)  # called on every token by several stages; words recur
def fold(text: str) -> str:
    """Lowercase without accents and with one kind of apostrophe: the key for lookups."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'").replace("ʼ", "'"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


@lru_cache(maxsize=8)
def compound_adjective_regex(language: str = "fr") -> str | None:
    """A regex for compound nationality adjectives ("maroco-mauritanien", "franco-sud-africaines").

    Built from the gazetteer's learned prefixes and demonyms of ``language`` (None: it has
    none), so the tokenizer can keep such words whole instead of splitting them at the hyphen.
    """
    import re

    rows = [r for r in load_csv("countries.csv") if r["lang"] == language]
    prefixes = sorted(
        {r["form"] for r in rows if r["kind"] == "compound_prefix"}, key=len, reverse=True
    )
    demonyms = sorted({r["form"] for r in rows if r["kind"] == "demonym"}, key=len, reverse=True)
    if not prefixes or not demonyms:
        return None
    prefix = "|".join(map(re.escape, prefixes))
    last = "|".join(map(re.escape, demonyms))
    return rf"(?i:(?:{prefix})(?:-(?:{prefix}))*-(?:{last}))"
