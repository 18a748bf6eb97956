// Stories: each real-world event once, with how many independent outlets reported it.
// A row opens the story page, where its sources stand side by side with their evidence.

import { getJSON } from "../api.js";
import { append, clear, h, notice, number, opening, plural, swatch } from "../dom.js";
import { typeColour } from "../format.js";
import { actorLink, documentLink, link } from "../state.js";

const PAGE = 50;

export async function renderStories(container, route, filters) {
  const offset = Math.max(0, Number.parseInt(route.params.get("offset") || "0", 10) || 0);
  container.append(notice("Loading stories…"));
  const page = await getJSON("/api/stories", { ...filters, limit: PAGE, offset });
  clear(container);
  container.append(
    h("div", { class: "view-header" },
      h("h1", {}, plural(page.total, "story", "stories")),
      h("p", { class: "muted" },
        "Each story is one real-world event, merged across the outlets that reported it. ",
        h("a", { href: link("events", filters), "data-raw-events": "" }, "Show raw events"))),
  );
  if (!page.items.length) {
    container.append(notice(page.total ? "No stories on this page." : "No story matches these filters."));
    return;
  }
  const here = (newOffset) => link("stories", { ...filters, offset: newOffset || null });
  append(container, [
    h("div", { class: "table-frame" },
      h("table", { class: "table stories-table" },
        h("thead", {}, h("tr", {},
          h("th", {}, "Date"), h("th", {}, "Event"), h("th", {}, "Parties"), h("th", {}, "Place"),
          h("th", { class: "num", title: "Independent sources (outlets; wire copies count once)" }, "Sources"),
          h("th", {}, "Outlets"), h("th", { class: "num" }, "Conf."))),
        h("tbody", {}, page.items.map((story) => storyRow(story, filters))))),
    page.total > page.limit
      ? h("nav", { class: "pager", "aria-label": "Pages" },
          page.offset > 0 ? h("a", { href: here(Math.max(0, page.offset - page.limit)), class: "button" }, "← Newer") : null,
          h("span", { class: "muted" }, `${number.format(page.offset + 1)}–${number.format(page.offset + page.items.length)} of ${number.format(page.total)}`),
          page.offset + page.items.length < page.total ? h("a", { href: here(page.offset + page.items.length), class: "button" }, "Older →") : null)
      : null,
  ]);
}

function storyRow(story, filters) {
  const open = link("story", {}, story.story_id);
  const row = h("tr", { class: "clickable", "data-story-id": story.story_id, tabindex: "0" },
    h("td", { class: "nowrap" }, story.date || "—"),
    h("td", {}, h("span", { class: "type-badge" }, swatch(typeColour(story.event), "dot"), story.event)),
    h("td", {}, story.participants.map((identity, i) => [
      i ? ", " : null, h("a", { href: actorLink(identity, filters), class: "actor-link" }, identity)])),
    h("td", {}, story.place || ""),
    h("td", { class: "num", "data-sources": story.independent_sources },
      h("a", { href: open, class: "story-link" }, number.format(story.independent_sources))),
    h("td", { class: "small" }, story.outlets.join(", ")),
    h("td", { class: "num confidence" }, String(story.confidence)));
  return opening(row, open);
}

export async function renderStory(container, route) {
  container.append(notice("Loading the story…"));
  const detail = await getJSON(`/api/stories/${encodeURIComponent(route.arg || "")}`);
  const story = detail.story;
  clear(container);
  container.append(
    h("div", { class: "view-header" },
      h("h1", {}, `${story.event} · ${story.participants.join(", ")}`),
      h("p", { class: "muted", "data-story-summary": "" },
        `${story.date || "undated"}${story.place ? ` · ${story.place}` : ""} · `,
        h("strong", { "data-independent-sources": story.independent_sources },
          plural(story.independent_sources, "independent source")),
        ` (${plural(story.sources, "article")}) · first seen ${story.first_seen || "—"}, last seen ${story.last_seen || "—"} · confidence ${story.confidence}`)),
    h("div", { class: "sources" },
      detail.sources.map((source, i) =>
        h("article", { class: "panel source", "data-doc-id": source.doc_id },
          h("h2", { class: "panel-title" }, source.outlet || source.doc_path),
          h("p", { class: "muted small" },
            source.published || "", " · ",
            countedWith(detail.sources, i),
            source.url ? h("a", { href: source.url, rel: "noopener noreferrer" }, source.title || source.url) : source.doc_path),
          source.evidence.map((item) =>
            h("blockquote", { class: "evidence" },
              h("a", { href: documentLink(source.doc_id, item.event_id), class: "evidence-link" }, item.text)))))),
  );
}

/** "counted with X": a source that is not independent of an earlier one (same outlet, or a
 * near-identical text such as a wire copy) counts once with it. */
function countedWith(sources, i) {
  const earlier = sources.slice(0, i).find((s) => s.independent_group === sources[i].independent_group);
  if (!earlier) return null;
  return [h("span", { class: "counted-with", "data-counted-with": earlier.doc_id },
    `counted with ${earlier.outlet || earlier.doc_path}`), " · "];
}
