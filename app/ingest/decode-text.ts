/**
 * Bytes → string for text files, recording the encoding used so a re-decode reproduces the same offsets.
 * Order (measured in the shared reference, §5): BOM; BOM-less UTF-16 by its NUL pattern; strict UTF-8; mostly-UTF-8
 * with a few bad bytes (decoded as UTF-8 with U+FFFD, and a warning); a detector (chardet) when it is confident;
 * else windows-1252, which decodes every byte (short Latin-1 text fools detectors, e.g. "café" reads as UTF-8).
 */
import chardet from 'chardet';
import iconv from 'iconv-lite';
import { bomEncoding, utf16WithoutBom } from './file-types.js';
import { IngestError } from './ingest-error.js';

export interface DecodedText {
  text: string;
  /** Lower-case encoding label as iconv-lite knows it ('utf-8', 'utf-16le', 'windows-1252', 'shift_jis', ...). */
  encoding: string;
  /** Something the user may want to know (e.g. invalid bytes replaced). */
  warnings: string[];
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lossyUtf8 = new TextDecoder('utf-8');

/** Detector results at or above this confidence (0-100) are trusted; below it, windows-1252 is the safer guess. */
const MIN_CONFIDENCE = 50;
/** Detector labels mapped to the decoder that handles them best (ISO-8859-1 text is decoded as its superset windows-1252). */
const LABELS: Record<string, string> = { 'iso-8859-1': 'windows-1252', 'ascii': 'utf-8', 'shift_jis': 'shift_jis', 'gb18030': 'gb18030' };

export function decodeText(bytes: Uint8Array): DecodedText {
  const bom = bomEncoding(bytes);
  if (bom) return { text: iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).subarray(bom.length), bom.encoding, { stripBOM: true }), encoding: bom.encoding, warnings: [] };
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Before UTF-8: NUL bytes are valid UTF-8, so UTF-16 text would pass the strict decoder.
  const utf16 = utf16WithoutBom(bytes);
  if (utf16) return { text: iconv.decode(buffer, utf16), encoding: utf16, warnings: [] };
  try {
    return { text: strictUtf8.decode(bytes), encoding: 'utf-8', warnings: [] };
  } catch {
    // not valid UTF-8: try the others below
  }
  const { valid, invalid } = utf8Sequences(bytes);
  if (valid > 0 && invalid * 4 <= valid) {
    return {
      text: lossyUtf8.decode(bytes),
      encoding: 'utf-8',
      warnings: [`${invalid} invalid UTF-8 byte sequence${invalid === 1 ? '' : 's'} replaced by U+FFFD`],
    };
  }
  const best = chardet.analyse(bytes)[0];
  if (best && best.confidence >= MIN_CONFIDENCE) {
    const label = LABELS[best.name.toLowerCase()] ?? best.name.toLowerCase();
    if (label !== 'utf-8' && iconv.encodingExists(label)) {
      return { text: iconv.decode(buffer, label), encoding: label, warnings: [] };
    }
  }
  if (!iconv.encodingExists('windows-1252')) throw new IngestError('decode-failed', 'No text encoding fits the file.');
  return { text: iconv.decode(buffer, 'windows-1252'), encoding: 'windows-1252', warnings: [] };
}

/** Counts well-formed multi-byte UTF-8 sequences and bytes that cannot belong to one. */
function utf8Sequences(bytes: Uint8Array): { valid: number; invalid: number } {
  let valid = 0;
  let invalid = 0;
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    if (b < 0x80) { i++; continue; }
    const need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0 || i + need >= bytes.length) { invalid++; i++; continue; }
    let ok = true;
    for (let k = 1; k <= need; k++) if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) { ok = false; break; }
    if (ok) { valid++; i += need + 1; } else { invalid++; i++; }
  }
  return { valid, invalid };
}
