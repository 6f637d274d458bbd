// A small helper for building DOM nodes. Every string becomes a text node, so
// text from a user's file can never turn into markup.

/**
 * h('button', {class: 'x', onclick: fn, 'aria-label': 'Close'}, 'Close')
 * Attributes: `class`, `dataset` (object), `on<event>` (listener), `hidden`,
 * booleans, and anything else set with setAttribute (never `style`).
 * Children: strings, numbers, nodes, arrays of those; null/false are skipped.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  const { value, ...rest } = attributes ?? {};
  applyAttributes(element, rest);
  append(element, children);
  // After the children, so a <select> already has the option to select.
  if (value !== undefined && value !== null) element.value = value;
  return element;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Like `h`, for SVG elements. */
export function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG_NS, tag);
  applyAttributes(element, attributes);
  append(element, children);
  return element;
}

function applyAttributes(element, attributes) {
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') element.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'style') throw new Error('inline style attributes are blocked by the page policy');
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
}

/** Appends strings (as text) and nodes. */
export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replaces all children of `parent`. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

/** A note that a part of the results is still being computed, with a spinner, said to screen readers. */
export function pendingNote(text) {
  return h('p', { class: 'pending-note', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), text);
}
