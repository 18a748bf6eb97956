// Every actor (state, group, organisation) with its event counts under the filters.

import { getJSON } from "../api.js";
import { clear, h, notice, number, plural, swatch } from "../dom.js";
import { typeColour } from "../format.js";
import { actorLink, eventsLink, link } from "../state.js";

const PAGE = 100;

export async function renderActors(container, route, filters) {
  const offset = Math.max(0, Number.parseInt(route.params.get("offset") || "0", 10) || 0);
  container.append(notice("Loading actors…"));
  const page = await getJSON("/api/actors", { ...filters, limit: PAGE, offset });
  clear(container);
  container.append(h("div", { class: "view-header" },
    h("h1", {}, plural(page.total, "actor")),
    h("p", { class: "muted" }, "States are identified by their ISO code, groups and organisations by their name.")));
  if (!page.items.length) {
    container.append(notice("No actor takes part in the events under these filters."));
    return;
  }
  container.append(h("div", { class: "table-frame" },
    h("table", { class: "table actors-table" },
      h("thead", {}, h("tr", {},
        h("th", {}, "Actor"), h("th", {}, "Kind"), h("th", { class: "num" }, "Events"),
        h("th", { class: "num" }, "As actor"), h("th", { class: "num" }, "As recipient"),
        h("th", { class: "num" }, "Articles"), h("th", {}, "Event types"))),
      h("tbody", {}, page.items.map((actor) => actorRow(actor, filters))))));
  if (page.total > page.limit) {
    const here = (o) => link("actors", { ...filters, offset: o || null });
    container.append(h("nav", { class: "pager" },
      offset > 0 ? h("a", { class: "button", href: here(Math.max(0, offset - PAGE)) }, "← Previous") : null,
      h("span", { class: "muted" }, `${offset + 1}–${offset + page.items.length} of ${page.total}`),
      offset + PAGE < page.total ? h("a", { class: "button", href: here(offset + PAGE) }, "Next →") : null));
  }
}

function actorRow(actor, filters) {
  const events = (extra = {}) => eventsLink({ ...filters, actor: actor.identity }, extra);
  return h("tr", { "data-actor": actor.identity },
    h("td", {}, h("a", { href: actorLink(actor.identity, filters), class: "actor-link strong" }, actor.name),
      h("span", { class: "muted" }, ` ${actor.code}`)),
    h("td", { class: "nowrap" }, h("span", { class: actor.state ? "kind kind-state" : "kind kind-group" },
      actor.state ? "state" : "non-state"), " ", h("span", { class: "muted small" }, actor.sectors.join(" "))),
    h("td", { class: "num" }, h("a", { href: events() }, number.format(actor.events))),
    h("td", { class: "num" }, h("a", { href: events({ role: "actor" }) }, number.format(actor.as_actor))),
    h("td", { class: "num" }, h("a", { href: events({ role: "recipient" }) }, number.format(actor.as_recipient))),
    h("td", { class: "num" }, h("a", { href: events() }, number.format(actor.documents))),
    h("td", {}, typeChips(actor.by_type, (type) => events({ type }))));
}

/** "COOPERATE 3" chips, each a link to those events. */
export function typeChips(byType, hrefFor) {
  return h("span", { class: "type-chips" },
    Object.entries(byType).map(([type, n]) =>
      h("a", { href: hrefFor(type), class: "type-chip", title: `${n} ${type} events` },
        swatch(typeColour(type), "dot"), `${type} ${n}`)));
}
