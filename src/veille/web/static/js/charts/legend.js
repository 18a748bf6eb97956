import { h, swatch } from "../dom.js";
import { QUAD_COLOURS, typeLabel } from "../format.js";

/** The four PLOVER quads and their colours. */
export function quadLegend() {
  return h("ul", { class: "legend" },
    Object.entries(QUAD_COLOURS).map(([quad, colour]) => h("li", {}, swatch(colour), typeLabel(quad))));
}
