"""Actor identities and the cooperation network between them.

One builder serves the API (``/api/graph``, actor lists and briefs) and the exports
(``veille export --format graphml|gexf``): nodes are actor identities (the code for a
state, the canonical name for a group or organisation), edges count the events that join
two of them, by PLOVER type and quad. The counting is SQL, in ``veille.tallies``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

from veille import __version__
from veille.lexicon import fold, load_csv
from veille.model import (
    CODER,
    NON_STATE_CODES,
    NON_STATE_SECTORS,
    PLOVER_TYPES,
    QUAD_OF,
    QUADS,
)
from veille.store import Store
from veille.tallies import ActorTally, EventScope, actor_tallies, graph_edges

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
GEXF_NS = "http://gexf.net/1.3"
GEXF_SCHEMA = "http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

#: Codes of international organisations (PLOVER); other non-state codes are groups or movements.
ORGANISATION_CODES = frozenset({"IGO", "UNO", "EUR", "NGO", "MNC"})


# -- actor identities -----------------------------------------------------------------------


@cache
def country_names() -> dict[str, str]:
    """Canonical country name by ISO alpha-3 code, from the gazetteer."""
    names: dict[str, str] = {}
    for row in load_csv("countries.csv"):
        names.setdefault(row["code"], row["name"])
    return names


@cache
def country_codes() -> dict[str, str]:
    """ISO alpha-3 code by folded canonical country name."""
    return {fold(name): code for code, name in country_names().items()}


def actor_filter_key(actor: str | None) -> str | None:
    """The value to filter events by: a country's name stands for its code, so "Maroc"
    also finds the events of the DGST; anything else is matched as given."""
    return country_codes().get(fold(actor), actor) if actor else None


def is_state_identity(code: str, identity: str) -> bool:
    """States are identified by their code; every other actor by its canonical name."""
    return identity == code and code not in NON_STATE_CODES


def actor_kind(code: str, identity: str, sectors: Iterable[str]) -> str:
    """``state``, ``group`` (armed groups, rebels), ``organisation`` (IGOs, NGOs) or ``other``."""
    if is_state_identity(code, identity):
        return "state"
    if code == "IMG" or {"REB", "INS", "UAF"} & set(sectors):
        return "group"
    if code in ORGANISATION_CODES:
        return "organisation"
    return "group" if NON_STATE_SECTORS & set(sectors) else "other"


def display_name(code: str, identity: str, name: str) -> str:
    """A state's country name; any other actor's most frequent name."""
    if is_state_identity(code, identity) and code in country_names():
        return country_names()[code]
    return name or identity


def tally_json(tally: ActorTally) -> dict[str, Any]:
    return {
        "identity": tally.identity,
        "code": tally.code,
        "name": display_name(tally.code, tally.identity, tally.name),
        "state": is_state_identity(tally.code, tally.identity),
        "kind": actor_kind(tally.code, tally.identity, tally.sectors),
        "sectors": sorted(tally.sectors),
        "events": tally.events,
        "as_actor": tally.as_actor,
        "as_recipient": tally.as_recipient,
        "documents": tally.documents,
        "by_type": tally.by_type,
    }


# -- the network --------------------------------------------------------------------------


@dataclass(slots=True)
class Edge:
    source: str
    target: str
    directed: bool
    by_type: Counter[str] = field(default_factory=Counter)

    def to_json(self) -> dict[str, Any]:
        quads = Counter({quad: 0 for quad in QUADS})
        for event_type, n in self.by_type.items():
            quads[QUAD_OF.get(event_type, "other")] += n
        cooperation = quads["verbal_cooperation"] + quads["material_cooperation"]
        return {
            "source": self.source,
            "target": self.target,
            "directed": self.directed,
            "events": sum(self.by_type.values()),
            "by_type": dict(self.by_type.most_common()),
            "by_quad": dict(quads),
            # The quad with most events; on a tie the first in PLOVER order (cooperation first).
            "quad": max(QUADS, key=lambda quad: quads[quad]),
            "cooperation": cooperation,
            "conflict": quads["verbal_conflict"] + quads["material_conflict"],
        }


def build_graph(store: Store, scope: EventScope) -> dict[str, Any]:
    """Nodes are the actor identities of the scope's events, edges count the events that
    join two of them (actor -> recipient, else joint actors pairwise), by type."""
    edges: dict[tuple[str, str, bool], Edge] = {}
    for source, target, directed, event_type, n in sorted(graph_edges(store, scope)):
        edge = edges.setdefault((source, target, directed), Edge(source, target, directed))
        edge.by_type[event_type] += n
    _, tallies = actor_tallies(store, scope)
    nodes = [tally_json(t) for t in tallies]
    links = sorted(
        (e.to_json() for e in edges.values()),
        key=lambda e: (-e["events"], e["source"], e["target"], e["directed"]),
    )
    return {"nodes": nodes, "edges": links}


# -- file formats -------------------------------------------------------------------------

_NODE_ATTRIBUTES = (
    ("name", "string"),
    ("code", "string"),
    ("kind", "string"),
    ("state", "boolean"),
    ("events", "int"),
)
_EDGE_COUNTS = ("events", "cooperation", "conflict")


def graphml(graph: dict[str, Any]) -> bytes:
    """The graph as GraphML (Gephi, yEd, NetworkX, igraph), one count attribute per type."""
    ET.register_namespace("", GRAPHML_NS)
    root = ET.Element(f"{{{GRAPHML_NS}}}graphml")
    edge_keys = [(name, "int") for name in _EDGE_COUNTS] + [("quad", "string")]
    edge_keys += [(f"type_{t}", "int") for t in PLOVER_TYPES]
    for scope, keys in (("node", _NODE_ATTRIBUTES), ("edge", edge_keys)):
        for name, kind in keys:
            ET.SubElement(
                root,
                f"{{{GRAPHML_NS}}}key",
                {"id": f"{scope}_{name}", "for": scope, "attr.name": name, "attr.type": kind},
            )
    body = ET.SubElement(
        root, f"{{{GRAPHML_NS}}}graph", {"id": "veille", "edgedefault": "directed"}
    )
    for node in graph["nodes"]:
        element = ET.SubElement(body, f"{{{GRAPHML_NS}}}node", {"id": xml_text(node["identity"])})
        for name, _ in _NODE_ATTRIBUTES:
            _graphml_data(element, f"node_{name}", node[name])
    for i, edge in enumerate(graph["edges"]):
        attributes = {"id": f"e{i}", "source": xml_text(edge["source"])}
        attributes["target"] = xml_text(edge["target"])
        attributes["directed"] = "true" if edge["directed"] else "false"
        element = ET.SubElement(body, f"{{{GRAPHML_NS}}}edge", attributes)
        for name in (*_EDGE_COUNTS, "quad"):
            _graphml_data(element, f"edge_{name}", edge[name])
        for event_type, n in edge["by_type"].items():
            _graphml_data(element, f"edge_type_{event_type}", n)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _graphml_data(parent: ET.Element, key: str, value: Any) -> None:
    ET.SubElement(parent, f"{{{GRAPHML_NS}}}data", {"key": key}).text = _xml_value(value)


def gexf(graph: dict[str, Any], description: str = "") -> bytes:
    """The graph as GEXF 1.3 (Gephi's own format).

    Node labels are display names, with the actor's code, kind and event count as
    attributes; an edge's weight is its number of events, with its dominant quad and one
    count per event type. Joint actions (no recipient) are undirected edges.
    """
    ET.register_namespace("", GEXF_NS)
    ET.register_namespace("xsi", XSI_NS)
    root = ET.Element(_gexf("gexf"), {"version": "1.3", f"{{{XSI_NS}}}schemaLocation": GEXF_SCHEMA})
    meta = ET.SubElement(
        root, _gexf("meta"), {"lastmodifieddate": datetime.now(UTC).date().isoformat()}
    )
    ET.SubElement(meta, _gexf("creator")).text = CODER
    ET.SubElement(meta, _gexf("description")).text = (
        description or f"Veille {__version__}: actors and the events that join them"
    )
    body = ET.SubElement(root, _gexf("graph"), {"defaultedgetype": "directed", "mode": "static"})
    node_attributes = [(name, kind) for name, kind in _NODE_ATTRIBUTES if name != "name"]
    edge_attributes = [(name, "integer") for name in _EDGE_COUNTS] + [("quad", "string")]
    edge_attributes += [(f"type_{t}", "integer") for t in PLOVER_TYPES]
    for scope, attributes in (("node", node_attributes), ("edge", edge_attributes)):
        declared = ET.SubElement(body, _gexf("attributes"), {"class": scope, "mode": "static"})
        for name, kind in attributes:
            kind = {"int": "integer"}.get(kind, kind)
            ET.SubElement(declared, _gexf("attribute"), {"id": name, "title": name, "type": kind})
    nodes = ET.SubElement(body, _gexf("nodes"))
    for node in graph["nodes"]:
        identity = {"id": xml_text(node["identity"]), "label": xml_text(node["name"])}
        element = ET.SubElement(nodes, _gexf("node"), identity)
        _gexf_values(element, {name: node[name] for name, _ in node_attributes})
    edges = ET.SubElement(body, _gexf("edges"))
    for i, edge in enumerate(graph["edges"]):
        attributes = {
            "id": str(i),
            "source": xml_text(edge["source"]),
            "target": xml_text(edge["target"]),
            "type": "directed" if edge["directed"] else "undirected",
            "weight": str(edge["events"]),
        }
        element = ET.SubElement(edges, _gexf("edge"), attributes)
        values = {name: edge[name] for name in (*_EDGE_COUNTS, "quad")}
        values |= {f"type_{event_type}": n for event_type, n in edge["by_type"].items()}
        _gexf_values(element, values)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _gexf(tag: str) -> str:
    return f"{{{GEXF_NS}}}{tag}"


def _gexf_values(parent: ET.Element, values: dict[str, Any]) -> None:
    container = ET.SubElement(parent, _gexf("attvalues"))
    for name, value in values.items():
        ET.SubElement(container, _gexf("attvalue"), {"for": name, "value": _xml_value(value)})


def _xml_value(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else xml_text(str(value))


#: Characters XML 1.0 forbids even escaped (control characters, lone surrogates, U+FFFE/F).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` without the characters that would make the XML file unreadable."""
    return _XML_INVALID.sub("", text)
