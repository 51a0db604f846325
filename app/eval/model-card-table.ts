/**
 * The metrics table as a sentence-transformers model card prints it: one metric per row, one dataset per column,
 * values `round(value, 4)` in Python's notation, the primary metric (`dot_ndcg@10`) in bold, laid out by
 * transformers' `make_markdown_table` (columns padded to their widest cell, left-aligned `|:---|` rules).
 */
import { pythonFloatRepr, pythonRound } from './reference-arithmetic.js';

export interface TableColumn {
  name: string;
  metrics: Readonly<Record<string, number>>;
}

/** `format_log` then transformers' `_maybe_round`: a float rounded to 4 decimals, as Python prints it. */
export function formatMetricValue(value: number): string {
  const text = pythonFloatRepr(pythonRound(value, 4));
  const decimals = text.split('.')[1];
  // _maybe_round: a float whose text still has more than 4 decimals (never after round) is printed with 4.
  return decimals !== undefined && decimals.length > 4 && !text.includes('e') ? value.toFixed(4) : text;
}

/** The markdown table; `primary` is the metric set in bold (its row name and values). */
export function modelCardTable(columns: readonly TableColumn[], primary = 'dot_ndcg@10'): string {
  const keys = Object.keys(columns[0]?.metrics ?? {});
  const header = ['Metric', ...columns.map((c) => c.name)];
  const rows = keys.map((key) => {
    const bold = key === primary;
    const cell = (text: string) => (bold ? `**${text}**` : text);
    return [cell(key), ...columns.map((c) => (c.metrics[key] === undefined ? '-' : cell(formatMetricValue(c.metrics[key]!))))];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => `| ${c}${' '.repeat(widths[i]! - c.length + 1)}`).join('') + '|';
  return [line(header), widths.map((w) => `|:${'-'.repeat(w + 1)}`).join('') + '|', ...rows.map(line)].join('\n') + '\n';
}
