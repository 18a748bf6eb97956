// Building the page from data. Article text is untrusted: it only ever becomes a text node
// (textContent) or an attribute value set with setAttribute, and is never parsed as HTML
// (tests/test_web.py checks that no file of the dashboard uses an HTML-parsing DOM call).

const SVG_NS = "http://www.w3.org/2000/svg";

/** An element: h("a", {href: "#/x", class: "y"}, "text", child, [more children]). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  setAttributes(element, attributes);
  append(element, children);
  return element;
}

/** An SVG element, same calling convention as h(). */
export function s(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG_NS, tag);
  setAttributes(element, attributes);
  append(element, children);
  return element;
}

function setAttributes(element, attributes) {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (name === "href") {
      element.setAttribute("href", safeHref(value));
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
}

/** Children: strings and numbers become text nodes; arrays are flattened; null is skipped. */
export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** In-app links (#/...) and http(s) URLs only: an article's "javascript:" URL is dropped. */
export function safeHref(value) {
  const href = String(value);
  if (href.startsWith("#") || href.startsWith("/")) return href;
  try {
    const url = new URL(href);
    if (url.protocol === "http:" || url.protocol === "https:") return url.href;
  } catch {
    // not a URL at all
  }
  return "#";
}

export function clear(element) {
  element.replaceChildren();
  return element;
}

export const number = new Intl.NumberFormat("en-GB");

export function plural(n, one, many = `${one}s`) {
  return `${number.format(n)} ${n === 1 ? one : many}`;
}

/** A short message in place of a view's content. */
export function notice(text, kind = "info") {
  return h("p", { class: `notice notice-${kind}` }, text);
}

/** A small colour square. Colours go through the CSSOM: the page's CSP forbids style="". */
export function swatch(colour, shape = "square") {
  const element = h("span", { class: `swatch swatch-${shape}`, "aria-hidden": "true" });
  element.style.backgroundColor = colour;
  return element;
}

/** A table row that opens ``href`` on a click or Enter; links inside it keep their own target. */
export function opening(row, href) {
  const go = (e) => {
    if (e.target.closest("a")) return;
    window.location.hash = href;
  };
  row.addEventListener("click", go);
  row.addEventListener("keydown", (e) => e.key === "Enter" && go(e));
  return row;
}
