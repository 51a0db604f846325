/**
 * HTML → visible text with htmlparser2 (streaming; 76 ms for 625 KB against 169 ms for a parse5 tree, reference
 * §6): no scripts, styles, templates, SVG or <head>; block elements become line breaks; whitespace collapses as a
 * browser shows it, except inside <pre>; headings start sections. Entities are decoded; NBSP becomes a space.
 */
import { Parser } from 'htmlparser2';
import type { Section } from './extraction.js';

const SKIP = new Set(['script', 'style', 'noscript', 'template', 'svg', 'head', 'iframe', 'object', 'canvas']);
const PARAGRAPH = new Set(['p', 'div', 'section', 'article', 'header', 'footer', 'aside', 'nav', 'main', 'blockquote',
  'pre', 'ul', 'ol', 'dl', 'table', 'figure', 'figcaption', 'form', 'fieldset', 'address', 'details', 'summary', 'hr',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'body', 'html']);
const LINE = new Set(['br', 'li', 'tr', 'dt', 'dd', 'option', 'caption']);
const CELL = new Set(['td', 'th']);
const HEADING = /^h[1-6]$/;

export interface HtmlText {
  text: string;
  sections: Section[];
}

export function htmlToText(html: string): HtmlText {
  let out = '';
  let pendingBreak = 0;
  let pendingSpace = false;
  let skipDepth = 0;
  let preDepth = 0;
  const starts: Array<{ start: number; heading?: string }> = [{ start: 0 }];
  let heading: { text: string; start: number } | null = null;

  const emit = (raw: string): void => {
    let t = preDepth > 0 ? raw.replace(/\r\n?/g, '\n').replace(/\u00a0/g, ' ') : raw.replace(/[\s\u00a0]+/g, ' ');
    if (t === '') return;
    if (preDepth === 0) {
      if (t.startsWith(' ')) { pendingSpace = true; t = t.slice(1); }
      const trailing = t.endsWith(' ');
      if (trailing) t = t.slice(0, -1);
      if (t !== '') write(t);
      if (trailing) pendingSpace = true;
    } else write(t);
  };
  const write = (t: string): void => {
    const separator = out.length === 0 ? '' : pendingBreak > 0 ? (pendingBreak >= 2 ? '\n\n' : '\n') : pendingSpace ? ' ' : '';
    out += separator;
    pendingBreak = 0;
    pendingSpace = false;
    if (heading) {
      if (heading.start < 0) heading.start = out.length;
      else heading.text += separator;
      heading.text += t;
    }
    out += t;
  };
  const block = (n: number): void => {
    pendingBreak = Math.max(pendingBreak, n);
  };

  const parser = new Parser(
    {
      onopentag(name) {
        if (skipDepth > 0 || SKIP.has(name)) { if (SKIP.has(name)) skipDepth++; return; }
        if (name === 'pre') preDepth++;
        if (PARAGRAPH.has(name)) block(2);
        else if (LINE.has(name)) block(1);
        else if (CELL.has(name)) pendingSpace = true;
        if (HEADING.test(name)) heading = { text: '', start: -1 };
      },
      ontext(text) {
        if (skipDepth === 0) emit(text);
      },
      onclosetag(name) {
        if (SKIP.has(name)) { if (skipDepth > 0) skipDepth--; return; }
        if (skipDepth > 0) return;
        if (name === 'pre' && preDepth > 0) preDepth--;
        if (HEADING.test(name) && heading) {
          if (heading.start >= 0) starts.push({ start: heading.start, heading: heading.text.replace(/\s+/g, ' ').trim() });
          heading = null;
        }
        if (PARAGRAPH.has(name)) block(2);
        else if (LINE.has(name)) block(1);
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  parser.write(html);
  parser.end();

  const sections: Section[] = [];
  for (let i = 0; i < starts.length; i++) {
    const { start, heading: h } = starts[i]!;
    let end = i + 1 < starts.length ? starts[i + 1]!.start : out.length;
    while (end > start && /\s/.test(out[end - 1]!)) end--;
    if (end <= start) continue;
    sections.push(h === undefined ? { start, end } : { start, end, heading: h });
  }
  return { text: out, sections };
}
