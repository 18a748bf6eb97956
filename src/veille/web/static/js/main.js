// Dashboard entry point: the header, filter bar and tabs, and a router that draws the view
// named in the URL hash each time it changes.

import { getAllActors, getVocabulary } from "./api.js";
import { clear, h, notice } from "./dom.js";
import { fold, setQuads, typeLabel } from "./format.js";
import { FILTERS, REFINEMENTS, currentRoute, filtersOf, link } from "./state.js";
import { renderActor } from "./views/actor.js";
import { renderActors } from "./views/actors.js";
import { renderDocument } from "./views/document.js";
import { renderEvents } from "./views/events.js";
import { renderNetwork } from "./views/network.js";
import { renderOverview } from "./views/overview.js";
import { renderSearch } from "./views/search.js";
import { renderStories, renderStory } from "./views/stories.js";

const VIEWS = {
  overview: { render: renderOverview, title: "Overview", tab: true, refinable: true },
  stories: { render: renderStories, title: "Stories", tab: true },
  story: { render: renderStory, title: "Story", filterless: true },
  network: { render: renderNetwork, title: "Network", tab: true },
  events: { render: renderEvents, title: "Events", tab: true, refinable: true },
  actors: { render: renderActors, title: "Actors", tab: true },
  actor: { render: renderActor, title: "Actor" },
  document: { render: renderDocument, title: "Article", filterless: true },
  search: { render: renderSearch, title: "Search", filterless: true },
};

const REFINEMENT_LABELS = {
  partner: "with",
  edge: "link",
  role: "as",
  place: "at",
  undated: "undated",
};

const main = document.getElementById("main");
const form = document.getElementById("filters");
let generation = 0;

async function show() {
  const mine = ++generation;
  const hash = window.location.hash;
  const route = currentRoute();
  const view = VIEWS[route.view];
  const filters = filtersOf(route.params);
  drawTabs(route, filters);
  fillFilterForm(route.params);
  drawRefinements(route, view);
  form.hidden = Boolean(view?.filterless);
  // On an actor's page the actor is the page itself, not a filter.
  form.elements.actor.closest("label").hidden = route.view === "actor";
  document.getElementById("search-input").value = route.view === "search" ? route.params.get("q") || "" : "";

  // Each view draws into its own container, so a slow view that finishes after the user
  // has moved on only fills a container that is no longer on the page.
  const container = h("section", { class: "view", "data-view": route.view });
  main.replaceChildren(container);
  if (!view) {
    container.append(notice(`No view called "${route.view}".`, "error"));
    document.body.dataset.rendered = hash;
    return;
  }
  document.title = `${view.title} — Veille`;
  container.setAttribute("aria-busy", "true");
  try {
    await view.render(container, route, filters);
  } catch (error) {
    if (mine === generation) {
      clear(container).append(notice(`Could not load this view (${error.message}).`, "error"));
    }
    console.error(error);
  } finally {
    container.setAttribute("aria-busy", "false");
    // Which URL the page now shows in full (the browser tests wait for it).
    if (mine === generation) document.body.dataset.rendered = hash;
  }
}

function drawTabs(route, filters) {
  const tabs = document.getElementById("tabs");
  clear(tabs);
  for (const [name, view] of Object.entries(VIEWS)) {
    if (!view.tab) continue;
    const current = route.view === name;
    tabs.append(
      h("a", { href: link(name, filters), class: current ? "tab current" : "tab",
               "aria-current": current ? "page" : null }, view.title),
    );
  }
}

// -- filter form ------------------------------------------------------------------------

async function setUpFilterForm() {
  const [vocabulary, actors] = await Promise.all([getVocabulary(), getAllActors()]);
  setQuads(vocabulary.quads);
  const typeSelect = form.elements.type;
  for (const [quad, types] of Object.entries(vocabulary.quads)) {
    const group = h("optgroup", { label: typeLabel(quad) });
    for (const type of types) group.append(h("option", { value: type }, type));
    typeSelect.append(group);
  }
  for (const context of vocabulary.contexts) {
    form.elements.context.append(h("option", { value: context }, typeLabel(context)));
  }
  const options = document.getElementById("actor-options");
  for (const actor of actors) {
    options.append(h("option", { value: actor.name }, `${actor.code} · ${actor.events} events`));
  }
}

/** What the user typed in the actor box, as the identity the API and URLs use. */
async function actorIdentity(typed) {
  if (!typed) return "";
  const key = fold(typed);
  const actors = await getAllActors();
  const match = actors.find((a) => fold(a.name) === key || fold(a.identity) === key);
  return match ? match.identity : typed.trim();
}

async function fillFilterForm(params) {
  for (const name of FILTERS) {
    const field = form.elements[name];
    // An empty value would put a slider halfway: it goes back to its default (no filter).
    if (field) field.value = params.get(name) || (field.defaultValue ?? "");
  }
  showConfidence(params.get("min_confidence"));
  // Show an actor's name rather than its code.
  const identity = params.get("actor");
  if (identity) {
    const actor = (await getAllActors()).find((a) => a.identity === identity);
    if (actor) form.elements.actor.value = actor.name;
  }
}

/** The slider's value beside it: "any" at 0, where it filters nothing. */
function showConfidence(value) {
  const threshold = Number(value) || 0;
  document.getElementById("min-confidence-shown").textContent =
    threshold > 0 ? `≥ ${threshold}` : "any";
}

/** A field's value for the URL: none for a slider at its minimum, which filters nothing. */
function filterValue(field) {
  const value = field.value.trim();
  return field.type === "range" && Number(value) <= Number(field.min) ? "" : value;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const route = currentRoute();
  const params = {};
  for (const name of FILTERS) params[name] = filterValue(form.elements[name]);
  params.actor = await actorIdentity(params.actor);
  // A click's narrowing stays until removed; the page goes back to the first.
  for (const name of REFINEMENTS) params[name] = route.params.get(name);
  window.location.hash = link(route.view, params, route.arg);
});

form.addEventListener("change", (event) => {
  // A choice or a released slider applies at once; typed text waits for Apply or Enter.
  if (event.target.tagName === "SELECT" || event.target.type === "range") form.requestSubmit();
});

form.addEventListener("input", (event) => {
  if (event.target.type === "range") showConfidence(event.target.value);
});

document.getElementById("clear-filters").addEventListener("click", () => {
  const route = currentRoute();
  window.location.hash = link(route.view, {}, route.arg);
});

function drawRefinements(route, view) {
  const box = document.getElementById("refinements");
  clear(box);
  if (!view?.refinable) return;
  for (const name of REFINEMENTS) {
    const value = route.params.get(name);
    if (!value) continue;
    const without = Object.fromEntries(route.params);
    delete without[name];
    if (name === "partner") delete without.edge;
    delete without.offset;
    box.append(
      h("span", { class: "chip", "data-refinement": name },
        h("span", { class: "chip-label" }, REFINEMENT_LABELS[name]),
        name === "undated" ? null : ` ${value}`,
        h("a", { href: link(route.view, without, route.arg), class: "chip-remove",
                 title: `Remove this narrowing (${name})`, "aria-label": `Remove ${name}` }, "×")),
    );
  }
}

document.getElementById("search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const q = document.getElementById("search-input").value.trim();
  if (q) window.location.hash = link("search", { q });
});

window.addEventListener("hashchange", show);
setUpFilterForm()
  .catch((error) => console.error("filter choices not loaded", error))
  .finally(show);
