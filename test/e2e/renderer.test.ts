/**
 * The renderer end to end: serve mode (real engine, fixture model, loopback HTTP + WebSocket) in Debian's Chromium.
 * Search as you type with highlighted terms and query terms, the detail view, keyboard use, Inspect, Browse,
 * Folders (add, progress, remove and its results gone), Settings, the first-run screen; axe-core finds no
 * violation in any of these states, the page runs under the strict CSP with no error; screenshots in light and dark
 * go to test/e2e/screenshots/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { SAMPLE_TEXTS, writeSampleDocuments } from '../helpers/sample-documents.js';
import { PEFT_REPO, startHubServer } from '../helpers/hub-server.js';
import {
  axeViolations, browserMissing, ensureRendererBuilt, launchBrowser, openPage, screenshots, startServe, tempDir,
  type ServeHandle,
} from './e2e-harness.js';

/**
 * The fixture model is a tiny random BERT: its expansions are arbitrary vocabulary, and a passage's own tokens are
 * rarely among its active terms. One fixture text (with the query sentence-transformers was run on) does get
 * highlights, so the library holds it beside the sample documents; assertions about what is marked compare the page
 * with the engine's own answer rather than with words a real model would choose.
 */
const FIXTURE = JSON.parse(readFileSync(new URL('../fixtures/splade-tiny/expected.json', import.meta.url), 'utf8')) as { texts: string[]; queries: string[] };
const SINUS_TEXT = FIXTURE.texts[1]!;
const SINUS_QUERY = FIXTURE.queries[0]!;

const missing = browserMissing();
if (missing) console.log(`# skipped: ${missing}`);

describe('renderer in serve mode (Chromium)', { skip: missing ?? false }, () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  let serve: ServeHandle;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let seeded: Awaited<ReturnType<typeof writeSampleDocuments>>;
  let seededFolder: string;
  const phases = new Set<string>();

  before(async () => {
    ensureRendererBuilt();
    work = await tempDir('splade-e2e-');
    seededFolder = join(work.path, 'library');
    seeded = await writeSampleDocuments(seededFolder);
    writeFileSync(join(seededFolder, 'sinusitis.txt'), SINUS_TEXT);
    serve = await startServe({ dataDir: join(work.path, 'data'), onnxCacheDir: join(work.path, 'onnx') });
    serve.engine.on('progress', (p) => phases.add(p.phase));
    browser = await launchBrowser();
    ({ page, problems } = await openPage(browser, serve.server.url));
  });

  after(async () => {
    await browser?.close();
    await serve?.close();
    await work?.dispose();
  });

  async function noViolations(state: string) {
    const violations = await axeViolations(page);
    assert.deepEqual(violations, [], `axe-core violations in ${state}:\n${JSON.stringify(violations, null, 2)}`);
  }

  async function search(text: string) {
    const box = page.getByRole('searchbox', { name: 'Search' });
    await box.fill('');
    await box.pressSequentially(text, { delay: 15 });
    await page.locator(`html[data-results-for=${JSON.stringify(text)}]`).waitFor({ state: 'attached' });
  }

  it('starts with focus in the search box once the model is loaded, the token gone from the address bar', async () => {
    const box = page.getByRole('searchbox', { name: 'Search' });
    await box.waitFor({ timeout: 60_000 });
    await page.locator('input[aria-label="Search"]:focus').waitFor();
    assert.ok(!page.url().includes('token='), page.url());
    await page.getByText('Nothing is indexed yet').waitFor();
    await noViolations('the start screen');
    await screenshots(page, 'search-empty');
  });

  it('adds a folder of sample documents (text, Markdown, PDF, DOCX) and shows indexing progress until done', async () => {
    await page.getByRole('button', { name: 'Folders' }).click();
    await page.getByRole('textbox', { name: 'Folder path' }).fill(seededFolder);
    await page.getByRole('button', { name: 'Add folder' }).click();
    const item = page.getByRole('listitem', { name: seededFolder });
    await item.waitFor();
    await page.getByText(`Added ${seededFolder}`).waitFor();
    // While files are queued the header shows the progress bar; it ends as "Index up to date" with every document in.
    let sawProgress = false;
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline) {
      if (await page.locator('progress[aria-label="Indexing progress"]').count()) sawProgress = true;
      if ((await item.getByText(/^5 indexed$/).count()) === 1 && (await page.getByText('Index up to date').count()) === 1) break;
      await page.waitForTimeout(50);
    }
    await item.getByText(/^5 indexed$/).waitFor({ timeout: 1000 });
    await page.getByText('Index up to date').waitFor({ timeout: 1000 });
    assert.match(await item.locator('.counts').innerText(), /0 pending\s+0 skipped\s+0 failed/);
    assert.ok(phases.has('indexing'), `the engine reported indexing progress: ${[...phases].join(', ')}`);
    console.log(`# progress bar seen while indexing: ${sawProgress}`);
    await noViolations('the folders view');
    await screenshots(page, 'folders');
    await page.getByRole('button', { name: 'Search' }).click();
  });

  it('searches as you type: passages ranked, matched terms highlighted, the query terms listed', async () => {
    await search(SINUS_QUERY);
    const results = page.getByRole('listbox', { name: 'Results' });
    const options = results.getByRole('option');
    const expected = await serve.engine.search({ query: SINUS_QUERY, k: 50 });
    assert.equal(await options.count(), Math.min(expected.hits.length, await options.count()));
    assert.ok((await options.count()) >= 3);
    // The page shows the engine's ranking: same files, same order, scores descending.
    const names = await results.locator('.file-name').allInnerTexts();
    assert.deepEqual(names, expected.hits.slice(0, names.length).map((h) => h.file.name));
    const scores = (await results.locator('.score').allInnerTexts()).map(Number);
    for (let i = 1; i < scores.length; i++) assert.ok(scores[i - 1]! >= scores[i]!, `ranked: ${scores.join(' ')}`);
    // Every highlight span of the sinusitis passage is inside a <mark>, marked as an expansion match (the random
    // model's query has none of its own words among its terms) or as a query word.
    const index = expected.hits.findIndex((h) => h.file.name === 'sinusitis.txt');
    const hit = expected.hits[index]!;
    // Highlights cover the hit's listed terms only (its 64 largest contributions): a few tokens of this passage.
    assert.ok(hit.highlights.length >= 1, 'the fixture passage has highlights');
    const option = options.nth(index);
    const marks = await option.locator('mark.hl').allInnerTexts();
    assert.ok(marks.length >= 1);
    for (const h of hit.highlights) {
      const span = hit.passage.text.slice(h.start, h.end);
      assert.ok(marks.some((m) => m.includes(span)), `span ${JSON.stringify(span)} marked in ${JSON.stringify(marks)}`);
    }
    const ownWords = new Set(expected.queryTerms.filter((t) => t.inText).map((t) => t.id));
    const kinds = await option.locator('mark.hl').evaluateAll((els) => els.map((el) => (el as any).className as string));
    if (ownWords.size === 0) for (const k of kinds) assert.match(k, /hl-expansion/);
    const queryTerms = page.getByRole('list', { name: 'Query terms' }).getByRole('listitem');
    assert.equal(await queryTerms.count(), Math.min(24, expected.queryTerms.length));
    assert.match(await queryTerms.first().innerText(), new RegExp(expected.queryTerms[0]!.term.replace(/[#]/g, '\\$&')));
    await results.getByRole('option').nth(index).click();
    await noViolations('search results');
    await screenshots(page, 'search-results');
  });

  it('applies the query syntax: ext: narrows to PDFs and is shown as understood', async () => {
    await search('lava rock ext:pdf');
    await page.getByRole('list', { name: 'Query understood as' }).getByText('type pdf').waitFor();
    const names = await page.getByRole('listbox', { name: 'Results' }).locator('.file-name').allInnerTexts();
    assert.ok(names.length >= 1);
    for (const name of names) assert.equal(name, 'volcanoes.pdf');
  });

  it('shows the detail of a result: contributions summing to the score, its expansion, its context, the actions', async () => {
    await search('magma volcano eruption ext:pdf');
    const detail = page.getByRole('region', { name: 'Result detail' });
    await detail.getByRole('heading', { name: 'volcanoes.pdf' }).waitFor();
    const table = detail.getByRole('table', { name: 'Contributions' });
    const adds = (await table.locator('tbody tr td:nth-child(4)').allInnerTexts()).map(Number);
    const sum = Number(await table.locator('tfoot td strong').innerText());
    const score = Number(await page.getByRole('listbox', { name: 'Results' }).getByRole('option', { selected: true }).locator('.score').innerText());
    assert.ok(adds.length >= 1);
    assert.ok(Math.abs(sum - score) <= 0.01 * Math.max(1, score), `sum ${sum} vs score ${score}`);
    // The rows themselves sum to the score: the terms shown, then "and N more terms: +x" for the rest (the fixture
    // model's passages share hundreds of terms with a query).
    const more = table.locator('tbody tr.more-terms');
    assert.match(await more.locator('td').first().innerText(), /^and \d+ more terms$/);
    const rowsSum = adds.reduce((total, add) => total + add, 0);
    assert.ok(Math.abs(rowsSum - score) <= 0.005 * adds.length + 0.01 * score, `rows sum ${rowsSum} vs score ${score}`);
    await detail.getByRole('list', { name: 'Passage expansion' }).getByRole('listitem').first().waitFor();
    assert.ok(await detail.getByRole('button', { name: /Open at page \d/ }).isVisible());
    assert.ok(await detail.getByRole('button', { name: 'Reveal in folder' }).isVisible());
    await noViolations('the detail view');
    await screenshots(page, 'detail');
    // The list asked for a few terms per hit; the detail fetches all of this hit's terms and can show every one.
    const showAll = detail.getByRole('button', { name: /^Show the top \d+ terms$/ });
    await showAll.waitFor();
    const listed = Number(/\d+/.exec(await showAll.innerText())![0]);
    assert.ok(listed > 30, `${listed} terms fetched`);
    await showAll.click();
    assert.equal(await table.locator('tbody tr:not(.more-terms)').count(), listed);
    const allAdds = (await table.locator('tbody tr td:nth-child(4)').allInnerTexts()).map((text) => Number(text.replace('+', '')));
    const allSum = allAdds.reduce((total, add) => total + add, 0);
    assert.ok(Math.abs(allSum - score) <= 0.0005 * allAdds.length + 0.01 * score, `all rows sum ${allSum} vs score ${score}`);
    await detail.getByRole('button', { name: 'Show the top 30 terms' }).click();
  });

  it('works from the keyboard: arrows move, Enter opens at the page, Ctrl+Enter reveals, Esc clears', async () => {
    await search('volcanoes lava magma basalt ash ext:pdf');
    const box = page.getByRole('searchbox', { name: 'Search' });
    await box.focus();
    const selected = () => page.getByRole('listbox', { name: 'Results' }).getByRole('option', { selected: true }).getAttribute('aria-posinset');
    assert.equal(await selected(), '1');
    const count = await page.getByRole('listbox', { name: 'Results' }).getByRole('option').count();
    await box.press('ArrowDown');
    assert.equal(await selected(), count > 1 ? '2' : '1');
    await box.press('ArrowUp');
    assert.equal(await selected(), '1');
    const first = await page.getByRole('listbox', { name: 'Results' }).getByRole('option', { selected: true }).locator('.file-name').innerText();
    const before = serve.opened.length;
    await box.press('Enter');
    await page.getByText(/^Opened /).waitFor();
    const open = serve.opened[before]!;
    assert.ok(open.args.some((arg) => arg.endsWith(first)), JSON.stringify(open));
    await box.press('Control+Enter');
    await page.getByText(/^Showing .* in its folder/).waitFor();
    assert.equal(serve.opened.length, before + 2);
    await box.press('Escape');
    assert.equal(await box.inputValue(), '');
    // Views are reachable from the keyboard too.
    await page.keyboard.press('Alt+2');
    await page.getByLabel('Text to inspect').waitFor();
    await page.keyboard.press('Control+k');
    await page.locator('input[aria-label="Search"]:focus').waitFor();
  });

  it('inspects any text: document and query expansions side by side, and the dot product with a second text', async () => {
    await page.getByRole('button', { name: 'Inspect' }).click();
    await page.getByLabel('Text to inspect').fill('Bees dance to show where flowers are.');
    const doc = page.getByRole('list', { name: 'Document expansion' }).getByRole('listitem');
    const query = page.getByRole('list', { name: 'Query expansion' }).getByRole('listitem');
    await doc.first().waitFor();
    assert.ok((await doc.count()) >= 3);
    assert.ok((await query.count()) >= 1);
    // Terms from the text and terms the model added are marked apart, as the engine says.
    const explained = await serve.engine.explain({ text: 'Bees dance to show where flowers are.', topK: 48 });
    const docList = page.getByRole('list', { name: 'Document expansion' });
    assert.equal(await docList.locator('.term.in-text').count(), explained.document.terms.slice(0, 20).filter((t) => t.inText).length);
    assert.equal(await docList.locator('.term.expanded').count(), explained.document.terms.slice(0, 20).filter((t) => !t.inText).length);
    await page.getByLabel('Compare with (optional)').fill(SAMPLE_TEXTS.docx);
    const dot = page.locator('output[aria-label="Dot product"]');
    await dot.waitFor();
    assert.ok(Number(await dot.innerText()) > 0);
    await page.getByRole('table', { name: 'Shared terms' }).waitFor();
    await noViolations('the inspect view');
    await screenshots(page, 'inspect');
  });

  it('browses a document passage by passage with its top terms, and finds more like a passage', async () => {
    await page.getByRole('button', { name: 'Browse' }).click();
    await page.getByRole('combobox', { name: 'Folder', exact: true }).selectOption(seededFolder);
    await page.getByRole('list', { name: 'Indexed documents' }).waitFor();
    await page.getByRole('button', { name: /volcanoes\.pdf/ }).click();
    const passages = page.getByRole('list', { name: 'Passages' }).locator(':scope > li');
    await passages.first().waitFor();
    assert.equal(await passages.count(), 2);
    assert.match(await passages.nth(1).innerText(), /page 2/);
    await page.getByRole('list', { name: 'Top terms of page 1' }).getByRole('listitem').first().waitFor();
    await noViolations('the browse view');
    await screenshots(page, 'browse');
    await page.getByRole('button', { name: 'More like this (page 1)' }).click();
    await page.getByText('Passages like').waitFor();
    await page.getByRole('listbox', { name: 'Results' }).getByRole('option').first().waitFor();
  });

  it('removes a folder and its results go', async () => {
    await page.getByRole('button', { name: 'Search' }).click();
    await search('young star cloud');
    assert.ok((await page.getByRole('listbox', { name: 'Results' }).locator('.file-name', { hasText: 'stars.txt' }).count()) >= 1);
    await page.getByRole('button', { name: 'Folders' }).click();
    const item = page.getByRole('listitem', { name: seededFolder });
    await item.getByRole('button', { name: `Remove ${seededFolder}` }).click();
    await item.getByRole('button', { name: `Confirm remove ${seededFolder}` }).click();
    await page.getByText(`Removed ${seededFolder}`).waitFor();
    await item.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Search' }).click();
    await search('young star cloud stars');
    await page.getByText('No passages match').waitFor();
    const names = await page.getByRole('listbox', { name: 'Results' }).locator('.file-name').allInnerTexts();
    const inLibrary = (await page.getByRole('listbox', { name: 'Results' }).locator('.result-folder').allInnerTexts()).filter((f) => f.includes('library'));
    assert.deepEqual(inLibrary, [], `results still from the removed folder: ${names.join(', ')}`);
  });

  it('edits settings: the device choices and the one in use, theme overriding the system', async () => {
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Device').waitFor();
    assert.match(await page.locator('#device-hint').innerText(), /Running on cpu/);
    await noViolations('the settings view');
    await screenshots(page, 'settings');
    await page.getByLabel('Dark').check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.locator('html[data-theme="dark"]').waitFor({ state: 'attached' });
    const bg = await page.locator('body').evaluate((body) => (globalThis as any).getComputedStyle(body).backgroundColor as string);
    assert.equal(bg, 'rgb(22, 24, 28)', 'the dark theme applies under a light system scheme');
    await page.getByLabel('Follow the system').check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.locator('html[data-theme="system"]').waitFor({ state: 'attached' });
  });

  it('ran under the strict CSP without page errors', () => {
    assert.deepEqual(problems, []);
  });
});

describe('first-run screen when the model cannot be fetched (offline, not cached)', { skip: missing ?? false }, () => {
  it('says what to do: retry, or a local model folder', async () => {
    ensureRendererBuilt();
    const work = await tempDir('splade-e2e-offline-');
    const env = { HF_HUB_OFFLINE: '1', HF_HOME: join(work.path, 'hf'), HF_HUB_CACHE: join(work.path, 'hf', 'hub') };
    const serve = await startServe({ dataDir: join(work.path, 'data'), model: 'tomaarsen/splade-bert-base-uncased-gooaq-peft', env, onnxCacheDir: join(work.path, 'onnx') });
    const browser = await launchBrowser();
    try {
      const { page, problems } = await openPage(browser, serve.server.url);
      await page.getByRole('heading', { name: /The model (could not be loaded|is not downloaded yet)/ }).waitFor({ timeout: 30_000 });
      await page.getByRole('textbox', { name: 'Local model folder' }).waitFor();
      await page.getByText('splade-search download').first().waitFor();
      const violations = await axeViolations(page);
      assert.deepEqual(violations, [], JSON.stringify(violations, null, 2));
      await screenshots(page, 'first-run');
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
      await serve.close();
      await work.dispose();
    }
  });
});

describe('first-run screen while the model downloads (loopback Hub)', { skip: missing ?? false }, () => {
  it('shows bytes, rate and ETA while downloading, gets past a stalled transfer, then searches', async () => {
    ensureRendererBuilt();
    const work = await tempDir('splade-e2e-download-');
    const hub = await startHubServer();
    // The first transfer of the weights stalls after 64 KiB, long enough to see the progress; the download then
    // times out (HF_HUB_DOWNLOAD_TIMEOUT) and is resumed.
    hub.faults.stallAfterBytes = { file: 'model.safetensors', bytes: 65_536, times: 1 };
    const env = { HF_ENDPOINT: hub.endpoint, HF_HUB_CACHE: join(work.path, 'hub'), HF_HOME: join(work.path, 'home'), HF_HUB_DOWNLOAD_TIMEOUT: '4' };
    const serve = await startServe({ dataDir: join(work.path, 'data'), model: PEFT_REPO, env, onnxCacheDir: join(work.path, 'onnx'), indexing: 'off' });
    const browser = await launchBrowser();
    try {
      const { page, problems } = await openPage(browser, serve.server.url);
      await page.getByRole('heading', { name: 'The model is not downloaded yet' }).waitFor({ timeout: 30_000 });
      await page.getByRole('button', { name: 'Download the model' }).click();
      await page.getByRole('heading', { name: 'Downloading the model' }).waitFor();
      await page.getByText(/KB.* · .*\/s · ETA /).waitFor();
      await screenshots(page, 'model-download');
      // The stalled transfer times out; the download either resumes by itself or fails, and then the screen's
      // retry resumes it. Either way it ends with the search box.
      const box = page.getByRole('searchbox', { name: 'Search' });
      const failed = page.getByRole('heading', { name: 'The model could not be loaded' });
      await box.or(failed).waitFor({ timeout: 60_000 });
      if (await failed.isVisible()) {
        await page.getByRole('button', { name: 'Try the download again' }).click();
        await box.waitFor({ timeout: 60_000 });
      }
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
      await serve.close();
      await hub.close();
      await work.dispose();
    }
  });
});
