/** What every extractor returns: the text to index and its structure, with UTF-16 offsets into `text`. */
import type { FileKind } from '../file-types.js';

/** A structural part of the text (a page, a Markdown/HTML section): passages never cross one. */
export interface Section {
  /** `[start, end)` in UTF-16 code units of `Extraction.text`. */
  start: number;
  end: number;
  /** 1-based page (PDF), when the format has pages. */
  page?: number;
  /** The heading this section starts with (Markdown, HTML, DOCX, EPUB), when any. */
  heading?: string;
}

export interface Extraction {
  /** The text that passages slice: for text, code and Markdown the decoded file itself; for other formats the extracted text. */
  text: string;
  type: FileKind;
  /** The encoding text-based files were decoded with (see decode-text). */
  encoding?: string;
  /** Ordered, non-overlapping; text outside every section (e.g. blank lines between pages) is not indexed. */
  sections: Section[];
  /** Pages (PDF). */
  pageCount?: number;
  /** Things the user may want to know that did not stop extraction (invalid bytes replaced, converter messages). */
  warnings: string[];
  /**
   * The bytes this was extracted from, as read (set by `extractFile` and the pool; absent from `extractBytes`):
   * size and modification time from the open file handle, SHA-256 of exactly those bytes — so a change during
   * the read shows up at the next scan, and a renamed file can be paired with its old entry without re-reading.
   */
  source?: { size: number; mtimeMs: number; sha256: string };
}

/** The whole text as one section (plain text and code: paragraphs are found by the splitter). */
export function wholeText(text: string): Section[] {
  return text.trim() === '' ? [] : [{ start: 0, end: text.length }];
}
