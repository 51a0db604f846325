import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { barLine, createProgressBar } from '../../app/cli/progress-bar.js';
import type { DownloadProgress } from '../../app/hub/index.js';
import { formatBytes } from '../../app/util/format-bytes.js';

function event(overrides: Partial<DownloadProgress> = {}): DownloadProgress {
  return {
    repoId: 'google-bert/bert-base-uncased',
    revision: 'main',
    file: 'model.safetensors',
    bytes: 220_000_000,
    total: 440_000_000,
    done: false,
    snapshotBytes: 221_000_000,
    snapshotTotal: 442_000_000,
    filesDone: 3,
    filesTotal: 5,
    rate: 12_300_000,
    ...overrides,
  };
}

function collect(stream: PassThrough): () => string {
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  return () => chunks.join('');
}

describe('progress bar', () => {
  it('formats sizes in decimal units', () => {
    assert.deepEqual([formatBytes(999), formatBytes(1500), formatBytes(12_345_678), formatBytes(440_473_133)], ['999 B', '1.50 kB', '12.3 MB', '440 MB']);
    // Decimal SI units; a value that rounds up to 1000 moves to the next unit instead of printing "1000 kB".
    assert.deepEqual([formatBytes(999_999), formatBytes(1_000_000_000), formatBytes(9_999)], ['1.00 MB', '1.00 GB', '10.0 kB']);
  });

  it('draws one line with percent, amounts, rate and files, within the width', () => {
    const line = barLine(event(), 100);
    assert.match(line, /^bert-base-uncased\/model\.safetensors {2}\[#{8}-{7}\] {3}50% {2}221 MB \/ 442 MB {2}12\.3 MB\/s {2}3\/5 files$/);
    assert.ok(line.length < 100, line);
    const narrow = barLine(event(), 60);
    assert.ok(narrow.length < 60 && !narrow.includes('['), narrow);
  });

  it('redraws on a TTY and clears the line at the end', () => {
    const stream = new PassThrough();
    const text = collect(stream);
    const bar = createProgressBar(stream, { tty: true, columns: 100 });
    bar.listener(event());
    bar.listener(event({ snapshotBytes: 442_000_000, done: true, filesDone: 5 }));
    bar.end();
    const output = text();
    assert.equal(output.split('\r\x1b[K').length, 4);
    assert.ok(!output.includes('\n'), 'no newline on a TTY');
  });

  it('writes plain lines elsewhere: one per finished file, and one every interval while bytes flow', () => {
    const stream = new PassThrough();
    const text = collect(stream);
    let now = 0;
    const bar = createProgressBar(stream, { tty: false, plainIntervalSeconds: 10, now: () => now });
    bar.listener(event());
    now = 11_000;
    bar.listener(event());
    now = 12_000;
    bar.listener(event());
    bar.listener(event({ done: true, bytes: 440_000_000 }));
    bar.end();
    assert.equal(
      text(),
      'downloading model.safetensors of google-bert/bert-base-uncased: 220 MB / 440 MB at 12.3 MB/s\n' +
        'downloaded model.safetensors of google-bert/bert-base-uncased (440 MB; 3/5 files)\n',
    );
  });
});
