// An article as stored: its clean text by paragraph, the evidence sentence of every event
// highlighted (the chosen one in a stronger colour, scrolled into view), actor mentions
// underlined, and the lines the cleaner removed available on demand.

import { documentPath, eventPath, getJSON } from "../api.js";
import { clear, h, notice, safeHref, swatch } from "../dom.js";
import { eventDate, shorten, typeColour, typeLabel } from "../format.js";
import { actorLink, documentLink } from "../state.js";

export async function renderDocument(container, route) {
  const eventId = route.params.get("event");
  container.append(notice("Loading the article…"));
  const [doc, detail] = await Promise.all([
    getJSON(documentPath(route.arg)),
    eventId ? getJSON(eventPath(eventId)) : null,
  ]);
  clear(container);

  const showRemoved = h("input", { type: "checkbox", id: "show-removed" });
  const article = h("article", { class: "article-text", lang: doc.language || "fr" },
    paragraphs(doc).map((paragraph) => paragraphElement(doc, paragraph, eventId)));
  showRemoved.addEventListener("change", () => article.classList.toggle("show-removed", showRemoved.checked));
  const removed = doc.paragraphs.filter((p) => !p.kept).length;

  container.append(
    h("div", { class: "view-header" },
      h("p", { class: "breadcrumb" }, h("button", { type: "button", class: "link-button", onclick: () => history.back() }, "← Back")),
      h("h1", { class: "doc-title" }, doc.title || doc.doc_path),
      h("p", { class: "doc-meta muted" }, metadata(doc))),
    h("div", { class: "grid grid-doc" },
      h("section", { class: "panel" },
        h("div", { class: "panel-title-row" },
          h("h2", { class: "panel-title" }, "Article text"),
          removed ? h("label", { class: "toggle" }, showRemoved, ` show ${removed} removed line${removed === 1 ? "" : "s"}`) : null),
        h("div", { class: "panel-body" }, article)),
      h("aside", { class: "doc-side" },
        detail ? eventCard(detail) : null,
        eventList(doc, eventId))),
  );
  container.querySelector("mark.current")?.scrollIntoView({ block: "center" });
}

function metadata(doc) {
  const parts = [];
  if (doc.published) parts.push(`published ${String(doc.published).slice(0, 10)}`);
  parts.push(doc.doc_path);
  if (doc.language) parts.push(`language ${doc.language}`);
  const out = [parts.join(" · ")];
  if (doc.url) {
    // Only web addresses become links; anything else ("javascript:…") stays text.
    const linkable = safeHref(doc.url) !== "#";
    out.push(" · ", linkable ? h("a", { href: doc.url, rel: "noreferrer noopener", target: "_blank" }, doc.url) : doc.url);
  }
  if (doc.near_duplicate_of) {
    out.push(" · near-duplicate of ", h("a", { href: documentLink(doc.near_duplicate_of) }, "another article"));
  }
  return out;
}

function paragraphs(doc) {
  if (doc.paragraphs.length) return doc.paragraphs;
  return [{ position: 0, start: 0, end: doc.text.length, kept: true, reason: null }];
}

/**
 * One paragraph cut into segments at every event and mention boundary, so each piece of
 * text knows which evidence sentences and mentions cover it.
 */
function paragraphElement(doc, paragraph, currentId) {
  const { start, end } = paragraph;
  const inside = (span) => span.start < end && span.end > start;
  const events = doc.events.filter(inside);
  const mentions = doc.mentions.filter(inside);
  const cuts = new Set([start, end]);
  for (const span of [...events, ...mentions]) {
    cuts.add(Math.max(start, span.start));
    cuts.add(Math.min(end, span.end));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const element = h("p", {
    class: paragraph.kept ? "para" : "para removed",
    title: paragraph.kept ? null : `removed: ${paragraph.reason || "not kept"}`,
  });
  for (let i = 0; i + 1 < points.length; i++) {
    const [a, b] = [points[i], points[i + 1]];
    const covers = (span) => span.start <= a && span.end >= b;
    let node = document.createTextNode(doc.text.slice(a, b));
    const mention = mentions.find(covers);
    if (mention) {
      const label = [mention.name || mention.code, mention.code, mention.office].filter(Boolean).join(" · ");
      node = h("span", { class: "mention", title: label }, node);
    }
    const covering = events.filter(covers);
    if (covering.length) {
      const current = covering.some((e) => e.event_id === currentId);
      const target = covering.find((e) => e.event_id !== currentId) || covering[0];
      node = h("mark", {
        class: current ? "evidence current" : "evidence",
        "data-event-ids": covering.map((e) => e.event_id).join(" "),
        title: covering.map((e) => e.event).join(", "),
      }, node);
      node.addEventListener("click", () => {
        window.location.hash = documentLink(doc.doc_id, target.event_id);
      });
    }
    element.append(node);
  }
  return element;
}

function eventCard(detail) {
  const event = detail.event;
  const party = (list) => (list.length
    ? list.map((a, i) => [i ? ", " : null, h("a", { href: actorLink(a.name), class: "actor-link" }, a.name), h("span", { class: "muted" }, ` ${a.code}`)])
    : h("span", { class: "muted" }, "—"));
  const rows = [
    ["Actor", party(event.actor)],
    ["Recipient", party(event.recipient)],
    ["Date", eventDate(event)
      ? [eventDate(event), event.date_source === "published" ? h("span", { class: "muted" }, " (publication date; the text states none)") : null]
      : h("span", { class: "muted" }, "not stated")],
    ["Place", event.event_loc?.extracted_place || h("span", { class: "muted" }, "—")],
    ["Context", event.context.length ? event.context.map(typeLabel).join(", ") : "—"],
    ["Mode", event.mode.length ? event.mode.join(", ") : "—"],
    ["Confidence", event.confidence?.toFixed(2) ?? "—"],
    ["Offsets", `${detail.evidence.start}–${detail.evidence.end}${detail.evidence.matches_record ? " ✓ matches the stored text" : " ✗ differs from the stored text"}`],
  ];
  return h("section", { class: "panel event-card", "data-event-id": event.id },
    h("h2", { class: "panel-title" }, h("span", { class: "type-badge large" }, swatch(typeColour(event.event), "dot"), event.event)),
    h("blockquote", { class: "evidence-quote" }, event.event_text),
    h("dl", { class: "facts" }, rows.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)])));
}

function eventList(doc, currentId) {
  if (!doc.events.length) return h("section", { class: "panel" }, notice("No event was coded in this article."));
  return h("section", { class: "panel" },
    h("h2", { class: "panel-title" }, `Events in this article (${doc.events.length})`),
    h("ol", { class: "doc-events" }, doc.events.map((event) =>
      h("li", { class: event.event_id === currentId ? "current" : null },
        h("a", { href: documentLink(doc.doc_id, event.event_id), "data-event-id": event.event_id },
          h("span", { class: "type-badge" }, swatch(typeColour(event.event), "dot"), event.event),
          h("span", { class: "snippet" }, shorten(event.event_text, 140)))))));
}
