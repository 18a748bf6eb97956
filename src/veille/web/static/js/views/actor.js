// The page of one country, group or organisation: its counts, partners ranked by shared
// events, timeline, places and the people seen with their offices.

import { getJSON, actorPath } from "../api.js";
import { quadLegend } from "../charts/legend.js";
import { timelineChart } from "../charts/timeline.js";
import { clear, h, notice, number, plural } from "../dom.js";
import { actorLink, eventsLink, link, monthRange } from "../state.js";
import { typeChips } from "./actors.js";
import { panel, typeBars } from "./overview.js";

export async function renderActor(container, route, filters) {
  const { actor: _ignored, ...scope } = filters; // the page is the actor
  container.append(notice("Loading…"));
  const brief = await getJSON(actorPath(route.arg), scope);
  clear(container);
  const identity = brief.identity;
  const events = (extra = {}) => eventsLink({ ...scope, actor: identity }, extra);

  container.append(
    h("div", { class: "view-header actor-header" },
      h("h1", {}, brief.name, h("span", { class: "code" }, brief.code)),
      h("p", {},
        h("span", { class: brief.state ? "kind kind-state" : "kind kind-group" }, brief.state ? "state" : "non-state actor"),
        brief.sectors.length ? h("span", { class: "muted" }, ` sectors ${brief.sectors.join(", ")}`) : null)),
    h("div", { class: "cards" },
      stat("Events", brief.events, events()),
      stat("As actor", brief.as_actor, events({ role: "actor" })),
      stat("As recipient", brief.as_recipient, events({ role: "recipient" })),
      stat("Articles", brief.documents, events()),
      stat("Partners", brief.partners.length, events())),
  );
  if (!brief.events) {
    container.append(notice("No event of this actor matches the filters."));
    return;
  }

  const dated = brief.timeline.filter((m) => m.month);
  const undated = brief.timeline.find((m) => !m.month);
  container.append(h("div", { class: "grid grid-2-1" },
    panel("Events per month", "timeline",
      dated.length ? timelineChart(brief.timeline, (month) => events(monthRange(month))) : notice("No dated event."),
      quadLegend(),
      undated ? h("p", { class: "caption" }, h("a", { href: events({ undated: 1 }) }, plural(undated.events, "undated event"))) : null),
    panel("Event types", "types", typeBars(brief.by_type, (type) => events({ type })))));

  container.append(h("div", { class: "grid grid-2-1" },
    panel("Partners", "partners", partnersTable(brief, scope, events)),
    panel("Places", "places", placesTable(brief, events))));
  container.append(panel("People and office holders", "people", peopleTable(brief)));
}

function stat(label, value, href) {
  return h("a", { class: "card small", href, "data-card": label.toLowerCase() },
    h("span", { class: "card-value" }, number.format(value)),
    h("span", { class: "card-label" }, label));
}

function partnersTable(brief, scope, events) {
  if (!brief.partners.length) return notice("No other actor in these events.");
  return h("table", { class: "table compact partners-table" },
    h("thead", {}, h("tr", {}, h("th", {}, "Partner"), h("th", { class: "num" }, "Shared events"), h("th", {}, "Types"))),
    h("tbody", {}, brief.partners.map((partner) =>
      h("tr", { "data-partner": partner.identity },
        h("td", {}, h("a", { href: actorLink(partner.identity, scope), class: "actor-link" }, partner.name),
          h("span", { class: "muted" }, ` ${partner.code}`)),
        h("td", { class: "num" }, h("a", { href: events({ partner: partner.identity }) }, number.format(partner.events))),
        h("td", {}, typeChips(partner.by_type, (type) => events({ partner: partner.identity, type })))))));
}

function placesTable(brief, events) {
  if (!brief.places.length) return notice("No event of this actor has a known place.");
  return h("table", { class: "table compact" },
    h("thead", {}, h("tr", {}, h("th", {}, "Place"), h("th", { class: "num" }, "Events"))),
    h("tbody", {}, brief.places.map((place) =>
      h("tr", {},
        h("td", {}, place.place, place.country_code ? h("span", { class: "muted" }, ` · ${place.country_code}`) : null),
        h("td", { class: "num" }, h("a", { href: events({ place: place.place }) }, number.format(place.events)))))));
}

function peopleTable(brief) {
  if (!brief.people.length) return notice("No person or office holder of this actor was recognised.");
  return h("table", { class: "table compact people-table" },
    h("thead", {}, h("tr", {}, h("th", {}, "As written"), h("th", {}, "Office"),
      h("th", { class: "num" }, "Mentions"), h("th", { class: "num" }, "Articles"))),
    h("tbody", {}, brief.people.map((person) => {
      // Mentions are not events: the link finds the articles that name the person.
      const search = link("search", { q: person.entity_text });
      return h("tr", {},
        h("td", {}, person.entity_text),
        h("td", {}, person.office || h("span", { class: "muted" }, "—")),
        h("td", { class: "num" }, h("a", { href: search, title: "Articles that name them" }, number.format(person.mentions))),
        h("td", { class: "num" }, h("a", { href: search }, number.format(person.documents))));
    })));
}
