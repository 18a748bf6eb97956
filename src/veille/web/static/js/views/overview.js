// Overview: headline counts, the timeline, the map and the event types under the filters.
// Every number links to the list of the events it counts.

import { getJSON } from "../api.js";
import { quadLegend } from "../charts/legend.js";
import { eventMap } from "../charts/map.js";
import { timelineChart } from "../charts/timeline.js";
import { clear, h, notice, number, plural, swatch } from "../dom.js";
import { typeColour } from "../format.js";
import { REFINEMENTS, actorLink, eventsLink, filtersOf, link, monthRange } from "../state.js";

export async function renderOverview(container, route, filters) {
  const refinements = filtersOf(route.params, REFINEMENTS);
  const scope = { ...filters, ...refinements };
  container.append(notice("Loading…"));
  const unit = route.params.get("unit") === "events" ? "events" : "stories";
  const overview = await getJSON("/api/dashboard/overview", { ...scope, unit });
  clear(container);
  // Articles stored in languages Veille does not code: said, never silently dropped.
  for (const { name, documents } of overview.not_coded ?? []) {
    container.append(notice(`${plural(documents, "article")} in ${name} not coded`, "not-coded"));
  }
  if (!overview.events) {
    container.append(notice("No event matches these filters."));
    return;
  }
  const to = (extra = {}) => eventsLink(scope, extra);

  container.append(
    h("div", { class: "cards" },
      unit === "stories"
        ? card("Stories", overview.events, link("stories", filters), "real-world events, each counted once however many outlets told it")
        : null,
      card(unit === "stories" ? "Raw events" : "Events", overview.raw_events, to(), "coded events with their evidence sentence", "events"),
      card("Articles", overview.documents, to(), "articles these events come from"),
      card("Actors", overview.actors, to(), "states, groups and organisations taking part"),
      card("Places", overview.places.length, to(), `${plural(overview.unlocated, "event")} without a place`),
      overview.undated ? card("Undated", overview.undated, to({ undated: 1 }), "events with no date") : null),
  );

  const counted = unit === "stories" ? "Stories" : "Events";
  const timelinePanel = panel(`${counted} per month`, "timeline",
    timelineChart(overview.timeline, (month) => to(monthRange(month))), quadLegend());
  const typesPanel = panel(unit === "stories" ? "Stories by event type" : "Event types", "types", typeBars(overview.by_type, (type) => to({ type })));
  container.append(h("div", { class: "grid grid-2-1" }, timelinePanel, typesPanel));

  const mapPanel = panel("Where events happen", "map", notice("Drawing the map…"));
  const placesPanel = panel("Places", "places", placeList(overview, to));
  container.append(h("div", { class: "grid grid-2-1" }, mapPanel, placesPanel));
  const map = await eventMap(
    overview.places,
    overview.countries,
    (place) => to({ place }),
    (code) => actorLink(code, filters),
  );
  mapPanel.querySelector(".panel-body").replaceChildren(
    map, h("p", { class: "caption" }, "Dots are event places; shaded countries take part in events (click for their page)."));
}

function card(label, value, href, caption, key = label.toLowerCase()) {
  return h("a", { class: "card", href, "data-card": key },
    h("span", { class: "card-value" }, number.format(value)),
    h("span", { class: "card-label" }, label),
    h("span", { class: "card-caption" }, caption));
}

export function panel(title, name, ...body) {
  return h("section", { class: "panel", "data-panel": name },
    h("h2", { class: "panel-title" }, title),
    h("div", { class: "panel-body" }, ...body));
}

/** Horizontal bars, one per event type, each a link to its events. */
export function typeBars(byType, hrefFor) {
  const max = Math.max(1, ...Object.values(byType));
  return h("ul", { class: "bars" },
    Object.entries(byType).map(([type, count]) => {
      const fill = h("span", { class: "bar-fill" });
      fill.style.width = `${(100 * count) / max}%`;
      fill.style.backgroundColor = typeColour(type);
      return h("li", {},
        h("a", { href: hrefFor(type), class: "bar-row", "data-type": type },
          h("span", { class: "bar-label" }, swatch(typeColour(type)), type),
          h("span", { class: "bar-track" }, fill),
          h("span", { class: "bar-count" }, number.format(count))));
    }));
}

function placeList(overview, to) {
  if (!overview.places.length) return notice("No event has a known place.");
  return h("div", {},
    h("table", { class: "table compact" },
      h("thead", {}, h("tr", {}, h("th", {}, "Place"), h("th", { class: "num" }, "Events"))),
      h("tbody", {},
        overview.places.map((place) =>
          h("tr", {},
            h("td", {}, place.place, place.country_code ? h("span", { class: "muted" }, ` · ${place.country_code}`) : null),
            h("td", { class: "num" }, h("a", { href: to({ place: place.place }) }, number.format(place.events))))))),
    h("p", { class: "caption" }, `${plural(overview.unlocated, "event")} have no place.`));
}
