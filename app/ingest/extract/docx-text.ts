/**
 * DOCX → text: the ZIP is checked first (zip-guard), then mammoth converts it to HTML — its raw-text mode drops
 * line breaks and headings (reference §4) — and the HTML goes through the same visible-text rules as .html files.
 * Images are never read (an empty src), so their bytes are not inflated.
 */
import mammoth from 'mammoth';
import { IngestError } from '../ingest-error.js';
import { htmlToText, type HtmlText } from './html-text.js';
import { inspectZip, type ZipLimits } from './zip-guard.js';

export async function docxToText(bytes: Buffer, limits?: ZipLimits): Promise<HtmlText & { warnings: string[] }> {
  const { names } = await inspectZip(bytes, limits ? { limits } : {});
  if (!names.includes('word/document.xml')) {
    throw new IngestError('extract-failed', 'The file is a ZIP but not a Word document (no word/document.xml); re-save it as .docx.');
  }
  let result: { value: string; messages: Array<{ type: string; message: string }> };
  try {
    result = await mammoth.convertToHtml(
      { buffer: bytes },
      { convertImage: mammoth.images.imgElement(async () => ({ src: '' })) },
    );
  } catch (error) {
    throw new IngestError('extract-failed', `The Word document could not be converted: ${(error as Error).message}`, { cause: error });
  }
  const errors = result.messages.filter((m) => m.type === 'error').map((m) => m.message);
  return { ...htmlToText(result.value), warnings: errors.slice(0, 5) };
}
