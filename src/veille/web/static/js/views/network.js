// The cooperation network: actors as nodes (size = events), one edge per actor pair and
// direction (width = events, colour = cooperation or conflict quad). A node opens the
// actor's page, an edge the events that make it; the table beside lists the same edges.

import cytoscape from "../../vendor/cytoscape.esm.min.mjs";
import { getJSON } from "../api.js";
import { clear, h, notice, number, swatch } from "../dom.js";
import { QUAD_COLOURS } from "../format.js";
import { actorLink, eventsLink, link } from "../state.js";
import { panel } from "./overview.js";

const COOPERATION = QUAD_COLOURS.material_cooperation;
const CONFLICT = QUAD_COLOURS.material_conflict;
const MIXED = QUAD_COLOURS.verbal_conflict;

/** Green when cooperation events dominate an edge, red for conflict, amber when even. */
export function edgeColour(edge) {
  if (edge.cooperation > edge.conflict) return COOPERATION;
  if (edge.conflict > edge.cooperation) return CONFLICT;
  return MIXED;
}

function edgeLink(edge, filters) {
  return eventsLink(filters, {
    actor: edge.source,
    partner: edge.target,
    edge: edge.directed ? "directed" : "joint",
  });
}

export async function renderNetwork(container, route, filters) {
  container.append(notice("Loading the network…"));
  // Edges count stories (each real-world event once) unless raw events are asked for.
  const unit = route.params.get("unit") === "events" ? "events" : "stories";
  const graph = await getJSON("/api/graph", { ...filters, unit });
  clear(container);
  if (!graph.nodes.length) {
    container.append(notice("No event matches these filters."));
    return;
  }
  const names = Object.fromEntries(graph.nodes.map((n) => [n.identity, n.name]));
  const canvas = h("div", { class: "network-canvas", id: "network-canvas", role: "img",
                             "aria-label": "Network of actors; the table lists the same links" });
  const legend = h("ul", { class: "legend" },
    h("li", {}, swatch(COOPERATION), "mostly cooperation"),
    h("li", {}, swatch(CONFLICT), "mostly conflict"),
    h("li", {}, swatch(MIXED), "even"),
    h("li", {}, swatch("#3d6a94", "dot"), "state"),
    h("li", {}, swatch("#8a5a9e", "dot"), "group or organisation"));
  const graphPanel = panel("Cooperation network", "network", canvas, legend,
    h("p", { class: "caption" }, `Node size: ${unit}. Edge width: ${unit} between the two; arrows point from actor to recipient. Click a node for its page, an edge for its events. `,
      unit === "stories"
        ? h("a", { href: link("network", { ...filters, unit: "events" }), "data-unit-toggle": "events" }, "Count raw events instead")
        : h("a", { href: link("network", filters), "data-unit-toggle": "stories" }, "Count stories instead")));
  container.append(h("div", { class: "grid grid-2-1" }, graphPanel, panel("Links", "links", edgeTable(graph, names, filters, unit))));
  drawGraph(canvas, graph, filters);
}

function edgeTable(graph, names, filters, unit) {
  return h("div", { class: "table-scroll" },
    h("table", { class: "table compact links-table" },
      h("thead", {}, h("tr", {}, h("th", {}, "Between"), h("th", {}, "Cooperation / conflict"),
        h("th", { class: "num" }, unit === "stories" ? "Stories" : "Events"))),
      h("tbody", {}, graph.edges.map((edge) =>
        h("tr", { "data-source": edge.source, "data-target": edge.target },
          h("td", {},
            h("a", { href: actorLink(edge.source, filters), class: "actor-link" }, names[edge.source] || edge.source),
            edge.directed ? " → " : " – ",
            h("a", { href: actorLink(edge.target, filters), class: "actor-link" }, names[edge.target] || edge.target)),
          h("td", {}, splitBar(edge)),
          h("td", { class: "num" },
            h("a", { href: edgeLink(edge, filters), class: "edge-count" }, number.format(edge.events))))))));
}

/** The share of cooperation and conflict events on an edge, as a small two-colour bar. */
function splitBar(edge) {
  const bar = h("span", { class: "split-bar", title: `${edge.cooperation} cooperation, ${edge.conflict} conflict` });
  for (const [count, colour] of [[edge.cooperation, COOPERATION], [edge.conflict, CONFLICT]]) {
    if (!count) continue;
    const part = h("span", { class: "split-part" });
    part.style.width = `${(100 * count) / edge.events}%`;
    part.style.backgroundColor = colour;
    bar.append(part);
  }
  return bar;
}

function drawGraph(canvas, graph, filters) {
  const maxNode = Math.max(...graph.nodes.map((n) => n.events));
  const maxEdge = Math.max(1, ...graph.edges.map((e) => e.events));
  const elements = [
    ...graph.nodes.map((node) => ({
      group: "nodes",
      data: {
        id: node.identity,
        label: node.name,
        size: 18 + 42 * Math.sqrt(node.events / maxNode),
        colour: node.state ? "#3d6a94" : "#8a5a9e",
      },
    })),
    ...graph.edges.map((edge, i) => ({
      group: "edges",
      data: {
        id: `e${i}`,
        source: edge.source,
        target: edge.target,
        width: 1.5 + 8 * (edge.events / maxEdge),
        colour: edgeColour(edge),
        arrow: edge.directed ? "triangle" : "none",
        href: edgeLink(edge, filters),
      },
    })),
  ];
  const cy = cytoscape({
    container: canvas,
    elements,
    minZoom: 0.3,
    maxZoom: 3,
    layout: {
      name: "cose",
      animate: false,
      padding: 40,
      nodeDimensionsIncludeLabels: true,
      nodeRepulsion: () => 60000,
      idealEdgeLength: () => 70,
      componentSpacing: 60,
      gravity: 1,
      numIter: 2500,
    },
    style: [
      {
        selector: "node",
        style: {
          width: "data(size)",
          height: "data(size)",
          "background-color": "data(colour)",
          label: "data(label)",
          color: "#1d2733",
          "font-size": 13,
          "font-family": "system-ui, sans-serif",
          "text-valign": "bottom",
          "text-margin-y": 4,
          "text-background-color": "#ffffff",
          "text-background-opacity": 0.8,
          "text-background-padding": 2,
          "border-width": 2,
          "border-color": "#ffffff",
        },
      },
      {
        selector: "edge",
        style: {
          width: "data(width)",
          "line-color": "data(colour)",
          "target-arrow-color": "data(colour)",
          "target-arrow-shape": "data(arrow)",
          "curve-style": "bezier",
          opacity: 0.8,
        },
      },
      { selector: "node:active, edge:active", style: { "overlay-opacity": 0.12 } },
    ],
  });
  // Keep labels readable when the layout had to zoom out to fit the panel.
  const zoom = Math.min(1, cy.zoom());
  cy.style().selector("node").style({ "font-size": 13 / zoom, "text-margin-y": 4 / zoom }).update();
  cy.on("tap", "node", (event) => {
    window.location.hash = actorLink(event.target.id(), filters);
  });
  cy.on("tap", "edge", (event) => {
    window.location.hash = event.target.data("href");
  });
  // Pointer cursor over clickable elements (the canvas draws them, so CSS cannot).
  cy.on("mouseover", "node, edge", () => canvas.classList.add("pointer"));
  cy.on("mouseout", "node, edge", () => canvas.classList.remove("pointer"));
  canvas.cytoscape = cy; // for the browser tests
}
