// The view and its filters live in the URL hash (#/events?actor=MAR&type=COOPERATE), so a
// view can be bookmarked, shared and reloaded, and the browser's back button works.

/** Filters shared by every view (the API's event filters). */
export const FILTERS = ["actor", "type", "context", "since", "until", "text", "min_confidence"];
/** Narrowing added by a click on a count; only the event list and overview take them. */
export const REFINEMENTS = ["partner", "edge", "role", "place", "undated"];

/** The current route: {view, arg, params}, from "#/view/arg?params". */
export function currentRoute() {
  const hash = window.location.hash.replace(/^#\/?/, "");
  const [path, query = ""] = splitOnce(hash, "?");
  const [view = "", ...rest] = path.split("/");
  const arg = rest.length ? decodeURIComponent(rest.join("/")) : null;
  return { view: view || "overview", arg, params: new URLSearchParams(query) };
}

function splitOnce(text, separator) {
  const at = text.indexOf(separator);
  return at < 0 ? [text] : [text.slice(0, at), text.slice(at + 1)];
}

/** The shared filters of a route's parameters, as an object without empty values. */
export function filtersOf(params, names = FILTERS) {
  const out = {};
  for (const name of names) {
    const value = params.get(name);
    if (value) out[name] = value;
  }
  return out;
}

/** "#/view/arg?params", dropping empty parameters. */
export function link(view, params = {}, arg = null) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== "" && value !== false) {
      query.set(name, value);
    }
  }
  const path = arg === null ? view : `${view}/${encodeURIComponent(arg)}`;
  const text = query.toString();
  return `#/${path}${text ? `?${text}` : ""}`;
}

/** The event list under the current filters plus what a click adds (or removes with null). */
export function eventsLink(filters, extra = {}) {
  return link("events", { ...filters, ...extra });
}

export function actorLink(identity, filters = {}) {
  const { actor: _ignored, ...rest } = filters; // the actor is the page itself
  return link("actor", rest, identity);
}

export function documentLink(docId, eventId = null) {
  return link("document", { event: eventId }, docId);
}

/** First and last day of a "YYYY-MM" month, for a timeline bar's link. */
export function monthRange(month) {
  const [year, m] = month.split("-").map(Number);
  const last = new Date(Date.UTC(year, m, 0)).getUTCDate();
  return { since: `${month}-01`, until: `${month}-${String(last).padStart(2, "0")}` };
}
