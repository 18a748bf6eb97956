// The JSON API, read with fetch() on the same origin.

export class ApiError extends Error {}

export async function getJSON(path, params = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== "") query.set(name, value);
  }
  const url = query.toString() ? `${path}?${query}` : path;
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) {
    let detail = response.statusText;
    try {
      const body = await response.json();
      detail = typeof body.detail === "string" ? body.detail : body.detail?.message || detail;
    } catch {
      // the body was not JSON
    }
    throw new ApiError(`${response.status}: ${detail}`);
  }
  return response.json();
}

// Vocabulary (types by quad, contexts, country codes) and the actor list change only when
// the server restarts on another database, so each is fetched once per page load.
let vocabulary = null;
export function getVocabulary() {
  vocabulary ??= getJSON("/api/dashboard/vocabulary");
  return vocabulary;
}

let actors = null;
export function getAllActors() {
  actors ??= getJSON("/api/actors", { limit: 500 }).then((page) => page.items);
  return actors;
}

export const eventPath = (id) => `/api/events/${encodeURIComponent(id)}`;
export const documentPath = (id) => `/api/documents/${encodeURIComponent(id)}`;
export const actorPath = (id) => `/api/actors/${encodeURIComponent(id)}`;
