// Events per month as stacked SVG bars (one colour per PLOVER quad). Every bar is a link to
// the events of its month.

import { number, s } from "../dom.js";
import { QUAD_COLOURS, monthLabel, quadOf } from "../format.js";

const WIDTH = 860;
const HEIGHT = 220;
const MARGIN = { top: 12, right: 8, bottom: 28, left: 34 };

/** Every month from the first to the last one that has events, gaps included. */
function allMonths(dated) {
  if (!dated.length) return [];
  const [first, last] = [dated[0].month, dated[dated.length - 1].month];
  const months = [];
  let [year, month] = first.split("-").map(Number);
  for (let guard = 0; guard < 1200; guard++) {
    const key = `${year}-${String(month).padStart(2, "0")}`;
    months.push(key);
    if (key >= last) break;
    month += 1;
    if (month > 12) [year, month] = [year + 1, 1];
  }
  return months;
}

function niceMax(value) {
  if (value <= 4) return Math.max(value, 1);
  const step = 10 ** Math.floor(Math.log10(value));
  return Math.ceil(value / step) * step;
}

/**
 * @param timeline [{month: "2025-03" | null, events, by_type}] as the API gives it
 * @param monthHref month -> link to its events
 */
export function timelineChart(timeline, monthHref) {
  const dated = timeline.filter((entry) => entry.month);
  const byMonth = Object.fromEntries(dated.map((entry) => [entry.month, entry]));
  const months = allMonths(dated);
  const svg = s("svg", {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    class: "chart timeline-chart",
    role: "img",
    "aria-label": "Events per month",
  });
  if (!months.length) return svg;

  const max = niceMax(Math.max(...dated.map((entry) => entry.events)));
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const slot = plotWidth / months.length;
  const barWidth = Math.max(2, Math.min(48, slot * 0.72));
  const y = (value) => MARGIN.top + plotHeight - (value / max) * plotHeight;

  for (const tick of [0, max / 2, max]) {
    if (tick !== Math.round(tick)) continue;
    svg.append(
      s("line", { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(tick), y2: y(tick), class: "gridline" }),
      s("text", { x: MARGIN.left - 6, y: y(tick) + 4, class: "axis-label", "text-anchor": "end" },
        number.format(tick)),
    );
  }

  const labelEvery = Math.ceil(months.length / 12);
  months.forEach((month, i) => {
    const x = MARGIN.left + i * slot + (slot - barWidth) / 2;
    if (i % labelEvery === 0) {
      svg.append(s("text", { x: x + barWidth / 2, y: HEIGHT - 8, class: "axis-label",
                             "text-anchor": "middle" }, monthLabel(month)));
    }
    const entry = byMonth[month];
    if (!entry) return;
    const bar = s("a", { href: monthHref(month), class: "bar", "data-month": month });
    const details = Object.entries(entry.by_type).map(([type, n]) => `${type} ${n}`).join(", ");
    bar.append(s("title", {}, `${monthLabel(month)}: ${entry.events} events (${details})`));
    // Stack the quads bottom-up, cooperation first.
    let base = 0;
    for (const quad of Object.keys(QUAD_COLOURS)) {
      const count = Object.entries(entry.by_type)
        .filter(([type]) => quadOf(type) === quad)
        .reduce((sum, [, n]) => sum + n, 0);
      if (!count) continue;
      bar.append(s("rect", { x, width: barWidth, y: y(base + count), height: y(base) - y(base + count),
                             fill: QUAD_COLOURS[quad] }));
      base += count;
    }
    // A transparent hit area makes short bars easy to click.
    bar.append(s("rect", { x: MARGIN.left + i * slot, width: slot, y: MARGIN.top, height: plotHeight,
                           class: "hit" }));
    svg.append(bar);
  });
  return svg;
}
