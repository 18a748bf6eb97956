// The event list: one row per event under the filters and a click's narrowing, newest first.
// A row opens the article with the evidence sentence highlighted.

import { getJSON } from "../api.js";
import { append, clear, h, notice, number, opening, plural, swatch } from "../dom.js";
import { shorten, typeColour } from "../format.js";
import { REFINEMENTS, actorLink, documentLink, filtersOf, link } from "../state.js";

const PAGE = 50;

export async function renderEvents(container, route, filters) {
  const refinements = filtersOf(route.params, REFINEMENTS);
  const offset = Math.max(0, Number.parseInt(route.params.get("offset") || "0", 10) || 0);
  container.append(notice("Loading events…"));
  const page = await getJSON("/api/dashboard/events", { ...filters, ...refinements, limit: PAGE, offset });
  clear(container);

  const here = (newOffset) => link("events", { ...filters, ...refinements, offset: newOffset || null });
  container.append(
    h("div", { class: "view-header" },
      h("h1", {}, plural(page.total, "event")),
      h("p", { class: "muted" }, "Click a row to read its evidence sentence in the article.")),
  );
  if (!page.items.length) {
    container.append(notice(page.total ? "No events on this page." : "No event matches these filters."));
    return;
  }

  const rows = page.items.map((event) => eventRow(event, filters));
  append(container, [
    h("div", { class: "table-frame" },
      h("table", { class: "table events-table" },
        h("thead", {}, h("tr", {},
          h("th", {}, "Date"), h("th", {}, "Event"), h("th", {}, "Actor"), h("th", {}, "Recipient"),
          h("th", {}, "Place"), h("th", { class: "num", title: "Confidence of the coding (0 to 1)" }, "Conf."),
          h("th", {}, "Evidence"))),
        h("tbody", {}, rows))),
    pager(page, here),
  ]);
}

function eventRow(event, filters) {
  const open = documentLink(event.doc_id, event.id);
  const row = h("tr", { class: "clickable", "data-event-id": event.id, tabindex: "0" },
    h("td", { class: "nowrap" }, event.day || "—",
      event.date ? null : h("span", { class: "muted small", title: "publication date" }, " (pub.)")),
    h("td", {}, h("span", { class: "type-badge" }, swatch(typeColour(event.event), "dot"), event.event),
      event.mode.length ? h("span", { class: "muted small" }, ` ${event.mode.join(", ")}`) : null),
    h("td", {}, actorLinks(event.actor, filters)),
    h("td", {}, actorLinks(event.recipient, filters)),
    h("td", {}, event.event_loc?.extracted_place || ""),
    h("td", { class: "num confidence", "data-confidence": event.confidence }, String(event.confidence)),
    h("td", { class: "evidence-cell" },
      h("a", { href: open, class: "evidence-link" }, shorten(event.event_text, 220)),
      h("div", { class: "muted small" }, event.doc_path)),
  );
  // The whole row opens the article; links inside it keep their own target.
  return opening(row, open);
}

/** Participants as links to their pages (identity: code for states, name otherwise). */
function actorLinks(list, filters) {
  if (!list.length) return h("span", { class: "muted" }, "—");
  return list.map((actor, i) => [
    i ? ", " : null,
    h("a", { href: actorLink(actor.identity, filters), class: "actor-link" }, actor.name || actor.code),
  ]);
}

function pager(page, here) {
  if (page.total <= page.limit) return null;
  const last = page.offset + page.items.length;
  return h("nav", { class: "pager", "aria-label": "Pages" },
    page.offset > 0 ? h("a", { href: here(Math.max(0, page.offset - page.limit)), class: "button" }, "← Newer") : null,
    h("span", { class: "muted" }, `${number.format(page.offset + 1)}–${number.format(last)} of ${number.format(page.total)}`),
    last < page.total ? h("a", { href: here(last), class: "button" }, "Older →") : null);
}
