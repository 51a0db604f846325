/**
 * Writes small valid PDFs: one Helvetica text line per string, pages as given. For the ingest benchmark corpus
 * and for tests (pdf.js reads them like any other PDF: xref table, standard font, one content stream per page).
 */

export interface PdfWriterOptions {
  /** Raw PDF dictionary for /Encrypt (tests of password-protected files); adds a document /ID. */
  encryptDict?: string;
}

export function writeSimplePdf(pages: readonly (readonly string[])[], options: PdfWriterOptions = {}): Buffer {
  const objects: string[] = [];
  const add = (body: string): number => objects.push(body);
  const catalog = add('');
  const pagesId = add('');
  const font = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  const kids: number[] = [];
  for (const lines of pages) {
    let content = 'BT /F1 11 Tf 14 TL 56 760 Td\n';
    for (const line of lines) content += `(${escapePdfString(line)}) Tj T*\n`;
    content += 'ET';
    const stream = add(`<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`);
    kids.push(add(`<< /Type /Page /Parent ${pagesId} 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 ${font} 0 R >> >> /Contents ${stream} 0 R >>`));
  }
  objects[catalog - 1] = `<< /Type /Catalog /Pages ${pagesId} 0 R >>`;
  objects[pagesId - 1] = `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`;
  const encrypt = options.encryptDict ? add(options.encryptDict) : null;
  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  const id = '<0123456789abcdef0123456789abcdef>';
  const extra = encrypt ? ` /Encrypt ${encrypt} 0 R /ID [${id} ${id}]` : '';
  out += `trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R${extra} >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** Latin-1 only (WinAnsi); other characters become '?'. */
function escapePdfString(s: string): string {
  return s.replace(/[^\x20-\xff]/g, '?').replace(/[\\()]/g, (c) => `\\${c}`);
}
