import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { markdownSections } from '../../app/ingest/extract/markdown-sections.js';
import { htmlToText } from '../../app/ingest/extract/html-text.js';

const slices = (text: string, sections: { start: number; end: number; heading?: string }[]) =>
  sections.map((s) => ({ heading: s.heading, text: text.slice(s.start, s.end) }));

describe('markdown sections', () => {
  it('splits at ATX and setext headings, not inside fenced code or front matter', () => {
    const md = [
      '---', 'title: x', '# not a heading', '---', 'Intro text.', '', '# One #', 'para', '', '```', '# code comment', '```',
      'Two', '===', 'body', '', '~~~~', '## still code', '~~~~', '', '### Three', 'end', '', '---', 'after a break',
    ].join('\n');
    const s = markdownSections(md);
    assert.deepEqual(s.map((x) => x.heading), [undefined, 'One', 'Two', 'Three']);
    assert.ok(md.slice(s[0]!.start, s[0]!.end).startsWith('---\ntitle: x'));
    assert.ok(md.slice(s[1]!.start, s[1]!.end).includes('# code comment'));
    assert.equal(md.slice(s[2]!.start, s[2]!.start + 8), 'Two\n===\n');
    assert.ok(md.slice(s[3]!.start, s[3]!.end).endsWith('after a break'), 'a thematic break after a blank line is no heading');
    assert.equal(s[3]!.end, md.length);
  });

  it('keeps exact offsets on CRLF input and skips empty sections', () => {
    const md = '# A\r\n\r\ntext a\r\n# B\r\n# C\r\nc text\r\n';
    const s = markdownSections(md);
    assert.deepEqual(slices(md, s), [
      { heading: 'A', text: '# A\r\n\r\ntext a\r\n' },
      { heading: 'B', text: '# B\r\n' },
      { heading: 'C', text: '# C\r\nc text\r\n' },
    ]);
    assert.deepEqual(markdownSections('  \n\n'), []);
  });
});

describe('html visible text', () => {
  it('drops scripts, styles and head, breaks at blocks, collapses whitespace, decodes entities', () => {
    const html = `<!doctype html><html><head><title>T</title><style>p{color:red}</style></head>
      <body><script>alert("x")</script><noscript>enable js</noscript>
      <h1>Caf&eacute;   title</h1><p>First   paragraph
      with a <b>bold</b>&nbsp;word.</p><p>Second<br>line</p>
      <ul><li>one</li><li>two</li></ul><pre>  keep
   spacing</pre><table><tr><td>a</td><td>b</td></tr></table><h2>Next</h2><div>tail</div><svg><text>no</text></svg></body></html>`;
    const { text, sections } = htmlToText(html);
    assert.equal(text, 'Café title\n\nFirst paragraph with a bold word.\n\nSecond\nline\n\none\ntwo\n\n  keep\n   spacing\n\na b\n\nNext\n\ntail');
    assert.deepEqual(slices(text, sections).map((s) => s.heading), ['Café title', 'Next']);
    assert.equal(text.slice(sections[1]!.start, sections[1]!.end), 'Next\n\ntail');
  });

  it('survives unclosed tags and bare text', () => {
    assert.equal(htmlToText('<p>a<p>b<li>c').text, 'a\n\nb\nc');
    assert.equal(htmlToText('just text').text, 'just text');
    assert.deepEqual(htmlToText('').sections, []);
  });
});
