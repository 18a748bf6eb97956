"""What the sources say: feeds (RSS, Atom) and news sitemaps, the addresses they list, and
the pages those addresses give, read into ``Document`` objects.

One article, one address: ``normalise_address`` removes tracking parameters, fragments and
AMP and mobile forms before anything is fetched, and ``canonical_address`` reads the address
a page names as its own.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import feedparser
import yaml
from lxml import etree

from veille.fetch import FetchFailure, first_line
from veille.ingest import IngestError, decode, html_document
from veille.model import Document

#: feedparser's complaints that are no fault of the feed's items (a wrong charset label).
HARMLESS_FEED_FAULTS = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


@dataclass(frozen=True, slots=True)
class Source:
    """A feed or sitemap to follow, with the language its pages are written in (a hint)."""

    url: str
    name: str | None = None
    language: str | None = None


class SourcesError(Exception):
    """A sources file that cannot be used; ``str()`` is one line naming it."""


# -- sources ------------------------------------------------------------------------------


def load_sources(path: str | Path) -> list[Source]:
    """The sources of a YAML file: ``sources: [{url, name, language}, ...]``."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise SourcesError(f"{path}: cannot read ({error.strerror or error})") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        reason = str(error).splitlines()[0]
        raise SourcesError(f"{path}: not a YAML file ({reason})") from None
    entries = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise SourcesError(f"{path}: expected a list under 'sources:'")
    sources = []
    for position, entry in enumerate(entries, start=1):
        if isinstance(entry, str):
            entry = {"url": entry}
        if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
            raise SourcesError(f"{path}: source {position} has no 'url'")
        url = normalise_address(entry["url"])
        if url is None:
            raise SourcesError(f"{path}: source {position}: {entry['url']!r} is not a web address")
        language = entry.get("language")
        name = entry.get("name")
        sources.append(
            Source(url, str(name) if name else None, str(language) if language else None)
        )
    return sources


def sources_of(arguments: Iterable[str]) -> list[Source]:
    """Sources from the command line: YAML files and feed or sitemap addresses, mixed."""
    sources: list[Source] = []
    for argument in arguments:
        if argument.startswith(("http://", "https://")):
            url = normalise_address(argument)
            if url is None:
                raise SourcesError(f"{argument}: not a web address")
            sources.append(Source(url))
        else:
            sources.extend(load_sources(argument))
    return list({source.url: source for source in sources}.values())


# -- addresses: one article, one address --------------------------------------------------

#: Query parameters that only say who sent the reader (campaign and click trackers).
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "xtor",  # AT Internet, on many French outlets
        "ocid",
        "cmpid",
        "_ga",
        "_gl",
        "amp",  # ?amp or ?amp=1: the AMP copy of the same page
    }
)
TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_", "ns_")
#: Host prefixes of mobile and AMP copies of a site.
COPY_HOST_PREFIXES = ("amp.", "m.", "mobile.")
_AMP_SUFFIX = re.compile(r"(?:/amp/?|\.amp)$")
_AMP_HTML = re.compile(r"\.amp\.html?$")
_AMP_PREFIX = re.compile(r"^/amp(?=/)")
_DEFAULT_PORTS = {"http": 80, "https": 443}
#: Characters left as they are in a path; others (accents) are percent-encoded as UTF-8.
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"


def normalise_address(address: str, base: str | None = None) -> str | None:
    """The address under which a page is known: tracking parameters, the fragment, AMP and
    mobile forms removed, host in lower case; ``None`` if it is not an http(s) address."""
    try:
        parts = urlsplit(urljoin(base, address.strip()) if base else address.strip())
        port = parts.port
    except ValueError:  # a port that is not a number, a broken IPv6 host
        return None
    if parts.scheme.lower() not in _DEFAULT_PORTS or not parts.hostname:
        return None
    scheme = parts.scheme.lower()
    host = parts.hostname.lower()
    for prefix in COPY_HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host.removeprefix(prefix)
            break
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = _AMP_HTML.sub(".html", parts.path)
    path = _AMP_PREFIX.sub("", _AMP_SUFFIX.sub("", path)) or "/"
    query = "&".join(
        piece
        for piece in parts.query.split("&")
        if piece and not _is_tracking(piece.split("=", 1)[0], piece.partition("=")[2])
    )
    return urlunsplit((scheme, netloc, quote(path, safe=_PATH_SAFE), query, ""))


def _is_tracking(key: str, value: str) -> bool:
    key = key.lower()
    if key == "outputtype":  # ?outputType=amp
        return value.lower() == "amp"
    return key in TRACKING_PARAMETERS or key.startswith(TRACKING_PREFIXES)


_CANONICAL = re.compile(
    rb"<link\b[^>]*\brel\s*=\s*[\"']?canonical\b[^>]*>", re.IGNORECASE | re.DOTALL
)
_HREF = re.compile(rb"\bhref\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.IGNORECASE)


def canonical_address(body: bytes, address: str) -> str | None:
    """The address a page names as its own (``<link rel="canonical">``), normalised."""
    head = body[:262144]  # the link belongs in <head>: no need to scan a whole page
    tag = _CANONICAL.search(head)
    href = _HREF.search(tag[0]) if tag else None
    if href is None:
        return None
    value = next(group for group in href.groups() if group is not None)
    return normalise_address(value.decode("utf-8", "replace"), base=address)


# -- reading feeds and sitemaps -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Listing:
    links: list[tuple[str, date | None]]  # page addresses (normalised) and publication dates
    sitemaps: list[str]  # child sitemaps of a sitemap index
    fault: str | None = None  # a fault the parser worked around (the links are still good)


_SITEMAP_ROOT = re.compile(rb"<(?:[\w-]+:)?(urlset|sitemapindex)\b")


def parse_listing(body: bytes, content_type: str | None, address: str, limit: int) -> Listing:
    """The pages a feed (RSS, Atom) or a sitemap lists. ``FetchFailure`` if it is neither."""
    if body.startswith(b"\x1f\x8b"):  # a .xml.gz sitemap
        body = _gunzip(body, limit=10 * 1024 * 1024)
    root = _SITEMAP_ROOT.search(body[:4096])
    if root:
        return _parse_sitemap(body, address, root[1] == b"sitemapindex", limit)
    return _parse_feed(body, content_type, address, limit)


def _gunzip(body: bytes, limit: int) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(body, limit)
    except zlib.error as error:
        raise FetchFailure("malformed feed", f"broken gzip ({error})") from None
    if inflater.unconsumed_tail:
        raise FetchFailure("too large", f"over {limit} bytes once decompressed")
    return data


def _parse_sitemap(body: bytes, address: str, is_index: bool, limit: int) -> Listing:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as error:
        raise FetchFailure("malformed feed", f"broken sitemap XML ({error})") from None
    if root is None:
        raise FetchFailure("malformed feed", "broken sitemap XML")
    fault = f"XML error, read anyway: {parser.error_log[0].message}" if parser.error_log else None
    links: list[tuple[str, date | None]] = []
    for entry in root.iter("{*}sitemap" if is_index else "{*}url"):
        loc = entry.findtext("{*}loc")
        url = normalise_address(loc, base=address) if loc else None
        if url is None:
            continue
        published = entry.findtext(".//{*}publication_date") or entry.findtext("{*}lastmod")
        links.append((url, _iso_date(published)))
    if is_index:
        # The newest child sitemaps first when they say when they changed.
        links.sort(key=lambda link: link[1] or date.min, reverse=True)
        return Listing([], [url for url, _ in links], fault)
    return Listing(links[:limit], [], fault)


def _parse_feed(body: bytes, content_type: str | None, address: str, limit: int) -> Listing:
    headers = {"content-location": address}
    if content_type:
        headers["content-type"] = content_type
    # Bytes, never a string: given a string that looks like an address, feedparser fetches it.
    feed = feedparser.parse(body, response_headers=headers, sanitize_html=False)
    if not feed.version and not feed.entries:
        if (content_type or "").startswith("text/html") or b"<html" in body[:2048].lower():
            raise FetchFailure("not a feed", "an HTML page, not RSS, Atom or a sitemap")
        reason = first_line(feed.bozo_exception) if feed.bozo else "no RSS, Atom or sitemap"
        raise FetchFailure("malformed feed", reason)
    fault = None
    if feed.bozo and not isinstance(feed.bozo_exception, HARMLESS_FEED_FAULTS):
        fault = f"{first_line(feed.bozo_exception)}; {len(feed.entries)} items read anyway"
    links: list[tuple[str, date | None]] = []
    for entry in feed.entries[:limit]:
        link = entry.get("link") or next(
            (item.get("href") for item in entry.get("links", []) if item.get("href")), None
        )
        url = normalise_address(link, base=address) if isinstance(link, str) else None
        if url is not None:
            stamp = entry.get("published_parsed") or entry.get("updated_parsed")
            links.append((url, date(*stamp[:3]) if stamp else None))
    return Listing(links, [], fault)


def _iso_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value.strip()[:10]) if value else None
    except ValueError:
        return None


# -- pages into documents -----------------------------------------------------------------

_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
#: What a news page is served as ("": the server did not say).
PAGE_TYPES = ("text/html", "application/xhtml+xml", "")


def page_document(
    body: bytes,
    content_type: str | None,
    address: str,
    published: date | None = None,
    language: str | None = None,
) -> Document:
    """A fetched page's main text as a ``Document`` (as ``veille ingest`` reads an .html file),
    known by its address; ``IngestError`` naming the address if it has no text to code."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type not in PAGE_TYPES:
        raise IngestError(address, f"not a web page ({media_type})")
    html = decode_page(body, content_type, address)
    document = html_document(address, html, published)
    return replace(document, url=address, language=document.language or language)


def decode_page(body: bytes, content_type: str | None, address: str) -> str:
    """UTF-8 if the bytes are UTF-8 (whatever the label says: a label is often wrong), else
    the charset the server declared if it fits, else the detected one."""
    declared = _CHARSET.search(content_type or "")
    if declared and declared[1].lower().replace("_", "-") not in ("utf-8", "utf8"):
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            try:
                return decode(body.decode(declared[1]).encode("utf-8"), address)
            except (LookupError, UnicodeDecodeError):
                pass  # an unknown or wrong label: let the detector decide
    return decode(body, address)
