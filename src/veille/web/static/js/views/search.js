// Search: actors whose name matches, events whose evidence contains the words, and articles
// ranked by the API's full-text search (French stems, no accents) with the hits marked.

import { getAllActors, getJSON } from "../api.js";
import { clear, h, notice, number, plural } from "../dom.js";
import { fold } from "../format.js";
import { actorLink, documentLink, eventsLink } from "../state.js";

export async function renderSearch(container, route) {
  const q = (route.params.get("q") || "").trim();
  if (!q) {
    container.append(notice("Type words to search in the box at the top."));
    return;
  }
  container.append(notice("Searching…"));
  const [actors, evidence, articles] = await Promise.all([
    getAllActors(),
    getJSON("/api/dashboard/events", { text: q, limit: 1 }),
    getJSON("/api/search", { q, limit: 50 }).catch(() => ({ total: 0, items: [] })),
  ]);
  clear(container);
  const key = fold(q);
  const matching = actors.filter((a) => fold(a.name).includes(key) || fold(a.identity).includes(key));

  container.append(h("div", { class: "view-header" }, h("h1", {}, `Search: “${q}”`)));
  const summary = h("div", { class: "cards" },
    h("a", { class: "card small", href: eventsLink({ text: q }), "data-card": "evidence" },
      h("span", { class: "card-value" }, number.format(evidence.total)),
      h("span", { class: "card-label" }, "events whose evidence contains it")));
  container.append(summary);

  if (matching.length) {
    container.append(h("section", { class: "panel" },
      h("h2", { class: "panel-title" }, "Actors"),
      h("ul", { class: "actor-matches" }, matching.slice(0, 30).map((actor) =>
        h("li", {}, h("a", { href: actorLink(actor.identity), class: "actor-link strong" }, actor.name),
          h("span", { class: "muted" }, ` ${actor.code} · `),
          h("a", { href: eventsLink({ actor: actor.identity }) }, plural(actor.events, "event")))))));
  }

  const results = h("section", { class: "panel" },
    h("h2", { class: "panel-title" }, `Articles (${number.format(articles.total)})`));
  if (!articles.items.length) {
    results.append(notice("No article contains all these words."));
  } else {
    results.append(h("ol", { class: "search-results" }, articles.items.map(resultItem)));
  }
  container.append(results);
}

function resultItem(hit) {
  return h("li", { class: "search-hit" },
    h("a", { href: documentLink(hit.doc_id), class: "hit-title" }, hit.title || hit.doc_path),
    h("div", { class: "muted small" },
      [hit.published ? String(hit.published).slice(0, 10) : null, hit.doc_path].filter(Boolean).join(" · ")),
    hit.snippet ? snippet(hit) : null);
}

/** The snippet's text with the matched words marked (spans are offsets in the document). */
function snippet(hit) {
  const { start, end, text } = hit.snippet;
  const element = h("p", { class: "snippet" }, start > 0 ? "…" : null);
  let at = start;
  for (const span of hit.spans) {
    if (span.start < at || span.end > end) continue;
    element.append(text.slice(at - start, span.start - start), h("mark", {}, text.slice(span.start - start, span.end - start)));
    at = span.end;
  }
  element.append(text.slice(at - start), "…");
  return element;
}
