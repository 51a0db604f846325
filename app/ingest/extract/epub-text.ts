/**
 * EPUB → text: a ZIP (checked by zip-guard) whose META-INF/container.xml names the package document (OPF), whose
 * spine lists the XHTML chapters in reading order. Each chapter goes through the HTML visible-text rules; chapters
 * are separated by a blank line and their headings start sections.
 */
import { posix } from 'node:path';
import { Parser } from 'htmlparser2';
import { IngestError } from '../ingest-error.js';
import type { Section } from './extraction.js';
import { htmlToText, type HtmlText } from './html-text.js';
import { inspectZip, type ZipLimits } from './zip-guard.js';

export async function epubToText(bytes: Buffer, limits?: ZipLimits): Promise<HtmlText> {
  const { kept } = await inspectZip(bytes, { ...(limits ? { limits } : {}), keep: () => true });
  const container = kept.get('META-INF/container.xml');
  if (!container) throw new IngestError('extract-failed', 'The file is a ZIP but not an EPUB (no META-INF/container.xml).');
  let opfPath: string | null = null;
  parseXml(container.toString('utf8'), (name, attrs) => {
    if (name === 'rootfile' && opfPath === null && attrs['full-path']) opfPath = attrs['full-path'];
  });
  const opf = opfPath === null ? undefined : kept.get(opfPath);
  if (opfPath === null || !opf) throw new IngestError('extract-failed', 'The EPUB names no readable package document (OPF).');
  const base = posix.dirname(opfPath);
  const manifest = new Map<string, string>();
  const spine: string[] = [];
  parseXml(opf.toString('utf8'), (name, attrs) => {
    if (name === 'item' && attrs.id && attrs.href) manifest.set(attrs.id, attrs.href);
    if (name === 'itemref' && attrs.idref && attrs.linear !== 'no') spine.push(attrs.idref);
  });
  let text = '';
  const sections: Section[] = [];
  for (const id of spine) {
    const href = manifest.get(id);
    if (!href) continue;
    const path = posix.normalize(posix.join(base, decodeURIComponent(href.split('#')[0]!)));
    const chapter = kept.get(path);
    if (!chapter) continue;
    const part = htmlToText(chapter.toString('utf8'));
    if (part.sections.length === 0) continue;
    if (text.length > 0) text += '\n\n';
    const offset = text.length;
    text += part.text;
    for (const s of part.sections) sections.push({ ...s, start: s.start + offset, end: s.end + offset });
  }
  return { text, sections };
}

function parseXml(xml: string, onTag: (name: string, attrs: Record<string, string>) => void): void {
  const parser = new Parser({ onopentag: (name, attrs) => onTag(name.replace(/^.*:/, ''), attrs) }, { xmlMode: true });
  parser.write(xml);
  parser.end();
}
