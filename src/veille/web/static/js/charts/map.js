// A map of event locations on the world outline shipped with the app (world-atlas, 1:110m),
// drawn as SVG with d3-geo: no tile server. Countries are shaded by the events their state
// takes part in (a click opens the country's page); dots are event places (a click opens
// the events there).

import { getVocabulary } from "../api.js";
import { h, number, s } from "../dom.js";

const WIDTH = 860;
const HEIGHT = 520;
/** North and West Africa, the Sahel, Europe and the Near East frame the map by default. */
const FOCUS = [[-20, 4], [45, 4], [45, 52], [-20, 52]];

let world = null;
function loadWorld() {
  world ??= fetch("/static/vendor/countries-110m.json").then((response) => {
    if (!response.ok) throw new Error(`world outline: ${response.status}`);
    return response.json();
  });
  return world;
}

/**
 * @param places [{place, lat, lon, events}]
 * @param countries {ISO alpha-3 code: events}
 * @param placeHref place -> link; countryHref code -> link
 */
export async function eventMap(places, countries, placeHref, countryHref) {
  const [topology, vocabulary] = await Promise.all([loadWorld(), getVocabulary()]);
  const { d3, topojson } = window;
  const shapes = topojson.feature(topology, topology.objects.countries).features;
  const located = places.filter((p) => p.lat !== null && p.lon !== null);
  const focus = {
    type: "MultiPoint",
    coordinates: [...FOCUS, ...located.map((p) => [p.lon, p.lat])],
  };
  const projection = d3.geoMercator().fitExtent([[16, 16], [WIDTH - 16, HEIGHT - 16]], focus);
  const path = d3.geoPath(projection);
  const maxCountry = Math.max(1, ...Object.values(countries));

  const svg = s("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: "chart map-chart", role: "img",
                         "aria-label": "Map of event locations" });
  svg.append(s("path", { d: path({ type: "Sphere" }), class: "sphere" }));
  const land = s("g", { class: "countries" });
  for (const shape of shapes) {
    const d = path(shape);
    if (!d) continue;
    const country = vocabulary.countries[shape.id];
    const events = country ? countries[country.code] || 0 : 0;
    const name = country?.name || shape.properties?.name || "";
    const outline = s("path", { d, class: events ? "country active" : "country" });
    if (events) {
      // Shade by share of the busiest country (square root, so small counts still show).
      outline.style.fillOpacity = String(0.18 + 0.62 * Math.sqrt(events / maxCountry));
      const anchor = s("a", { href: countryHref(country.code), "data-country": country.code },
        s("title", {}, `${name}: ${number.format(events)} events`), outline);
      land.append(anchor);
    } else {
      outline.append(s("title", {}, name));
      land.append(outline);
    }
  }
  svg.append(land);

  const maxPlace = Math.max(1, ...located.map((p) => p.events));
  const dots = s("g", { class: "places" });
  for (const place of [...located].sort((a, b) => b.events - a.events)) {
    const [x, y] = projection([place.lon, place.lat]);
    const radius = 4 + 10 * Math.sqrt(place.events / maxPlace);
    dots.append(
      s("a", { href: placeHref(place.place), class: "place", "data-place": place.place },
        s("title", {}, `${place.place}: ${number.format(place.events)} events`),
        s("circle", { cx: x, cy: y, r: radius })),
    );
  }
  svg.append(dots);
  return h("div", { class: "map-frame" }, svg);
}
