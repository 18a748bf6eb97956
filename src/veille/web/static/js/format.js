// Labels, colours and small text helpers shared by the views.

/** PLOVER quads: cooperation in greens, conflict in warm colours. */
export const QUAD_COLOURS = {
  verbal_cooperation: "#6fb98f",
  material_cooperation: "#1f7a56",
  verbal_conflict: "#e3a43a",
  material_conflict: "#c2453a",
};

let quadOfType = {};
/** Called once with the vocabulary's quads. */
export function setQuads(quads) {
  quadOfType = {};
  for (const [quad, types] of Object.entries(quads)) {
    for (const type of types) quadOfType[type] = quad;
  }
}

export function quadOf(type) {
  return quadOfType[type] || "verbal_cooperation";
}

export function typeColour(type) {
  return QUAD_COLOURS[quadOf(type)];
}

/** "material_cooperation" -> "Material cooperation". */
export function typeLabel(name) {
  const words = name.replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Lowercase without accents, as the API compares names. */
export function fold(text) {
  return String(text).normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().trim();
}

export function participants(list) {
  return list.map((a) => a.name || a.code).join(", ");
}

/** An event's date as the record gives it (day, month or year precision). */
export function eventDate(event) {
  if (!event.date) return "";
  if (event.date_precision === "year") return event.date.slice(0, 4);
  if (event.date_precision === "month") return event.date.slice(0, 7);
  return event.date.slice(0, 10);
}

export function monthLabel(month) {
  if (!month) return "undated";
  const [year, m] = month.split("-").map(Number);
  return new Date(Date.UTC(year, m - 1, 1)).toLocaleDateString("en-GB", {
    month: "short",
    year: "numeric",
    timeZone: "UTC",
  });
}

export function shorten(text, length = 160) {
  return text.length <= length ? text : `${text.slice(0, length - 1).trimEnd()}…`;
}
