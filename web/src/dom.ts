/**
 * A small element builder: pages are written as `h('button', { onclick }, 'Approve')`. Text is
 * always set as text (never parsed as HTML), so a rationale or a strategy name full of `<script>`
 * shows verbatim.
 */
type Child = Node | string | number | null | undefined | false;
type Props<K extends keyof HTMLElementTagNameMap> = Partial<Omit<HTMLElementTagNameMap[K], 'style'>> & {
  class?: string;
  /** Attributes set with setAttribute: aria-*, data-*, for, scope. */
  attrs?: Record<string, string | number | boolean | undefined>;
};

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props?: Props<K> | null,
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) {
    const { class: className, attrs, ...rest } = props;
    if (className) el.className = className;
    Object.assign(el, rest);
    for (const [name, value] of Object.entries(attrs ?? {}))
      if (value !== undefined && value !== false) el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el: Node, children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's content. */
export function fill(el: Element, ...children: (Child | Child[])[]): void {
  el.replaceChildren();
  append(el, children);
}

let ids = 0;
/** A unique id for label/for and aria-describedby pairs. */
export function uid(prefix = 'f'): string {
  ids += 1;
  return `${prefix}-${ids}`;
}

/** A labelled form control: `<label for>` + the control, wrapped for layout. */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement) {
  if (!control.id) control.id = uid();
  return h('div', { class: 'field' }, h('label', { htmlFor: control.id }, label), control);
}

export function select(
  options: readonly (readonly [value: string, label: string])[],
  value: string,
  onchange?: (value: string) => void,
): HTMLSelectElement {
  const el = h(
    'select',
    null,
    ...options.map(([v, l]) => h('option', { value: v, selected: v === value }, l)),
  );
  el.value = value;
  if (onchange) el.addEventListener('change', () => onchange(el.value));
  return el;
}

/** A status line read out by screen readers when it changes. */
export function statusLine(): HTMLParagraphElement {
  return h('p', { class: 'status', attrs: { role: 'status', 'aria-live': 'polite' } });
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
