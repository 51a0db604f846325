/**
 * Browse: the indexed documents by folder; a document's text passage by passage, each with its top terms and a
 * "more like this". Needs no model and no network: everything comes from the index.
 */
import { useEffect, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { FileEntry, FilePassagesResponse } from '../../../app/api/api-types.js';
import { useEngine } from '../hooks/engine-context.js';
import { errorText } from '../lib/error-text.js';
import { formatBytes, formatDate, formatLocation, displayFolder } from '../lib/format.js';
import { StateMessage } from './state-message.js';
import { TermChips } from './term-bars.js';
import type { SearchMode } from './search-view.js';

const PAGE = 2000;

export function BrowseView({ onMoreLikeThis }: { onMoreLikeThis: (mode: SearchMode) => void }) {
  const { api, folders } = useEngine();
  const [folder, setFolder] = useState('');
  const [files, setFiles] = useState<FileEntry[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<FilePassagesResponse | null>(null);
  const [openError, setOpenError] = useState<string | null>(null);
  const listRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!folder && folders && folders.length > 0) setFolder(folders[0]!.path);
  }, [folders, folder]);

  useEffect(() => {
    if (!folder) return;
    let live = true;
    setFiles(null);
    api.listFiles({ folder, status: 'indexed', limit: PAGE }).then(
      (r) => {
        if (!live) return;
        setFiles(r.files);
        setTotal(r.total);
        setError(null);
      },
      (e) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [api, folder, folders]);

  const virtualizer = useVirtualizer({ count: files?.length ?? 0, getScrollElement: () => listRef.current, estimateSize: () => 44, overscan: 10 });

  const openFile = async (path: string) => {
    setOpenError(null);
    try {
      setOpen(await api.filePassages({ path }));
    } catch (e) {
      setOpenError(errorText(e));
    }
  };

  if (folders && folders.length === 0) {
    return (
      <StateMessage kind="empty" title="No folders yet">
        <p>Add a folder in <strong>Folders</strong>; its indexed documents are listed here.</p>
      </StateMessage>
    );
  }

  return (
    <div className="browse-view">
      <section className="browse-files" aria-label="Documents">
        <label className="field">
          Folder
          <select value={folder} onChange={(e) => setFolder(e.target.value)}>
            {(folders ?? []).map((f) => <option key={f.path} value={f.path}>{f.path}</option>)}
          </select>
        </label>
        {error && <StateMessage kind="error" title="Could not list the documents"><p>{error}</p></StateMessage>}
        {files === null && !error && <StateMessage kind="loading" title="Loading documents…" />}
        {files && files.length === 0 && <StateMessage kind="empty" title="No indexed documents in this folder"><p>They appear here as indexing finishes; skipped and failed files are listed in Folders.</p></StateMessage>}
        {files && files.length > 0 && (
          <>
            <p className="muted small">{total} indexed document{total === 1 ? '' : 's'}{total > files.length ? ` (first ${files.length})` : ''}</p>
            <div ref={listRef} className="file-scroll">
              <ul aria-label="Indexed documents" className="file-list" style={{ height: virtualizer.getTotalSize() }}>
                {virtualizer.getVirtualItems().map((item) => {
                  const f = files[item.index]!;
                  return (
                    <li key={item.key} style={{ transform: `translateY(${item.start}px)` }} ref={virtualizer.measureElement} data-index={item.index}>
                      <button type="button" className={open?.file.path === f.path ? 'file-button current' : 'file-button'} aria-current={open?.file.path === f.path ? 'true' : undefined} onClick={() => void openFile(f.path)}>
                        <span className="file-name">{f.path.slice(f.path.lastIndexOf('/') + 1)}</span>
                        <span className="muted small">{displayFolder(f.path, f.folder)} · {f.passageCount} passage{f.passageCount === 1 ? '' : 's'} · {formatBytes(f.size)} · {formatDate(f.mtimeMs)}</span>
                      </button>
                    </li>
                  );
                })}
              </ul>
            </div>
          </>
        )}
      </section>
      <section className="browse-document" aria-label="Document">
        {openError && <StateMessage kind="error" title="Could not open this document"><p>{openError}</p></StateMessage>}
        {!open && !openError && <StateMessage kind="empty" title="Choose a document"><p>Its text is shown passage by passage, each with the terms the model gives it.</p></StateMessage>}
        {open && (
          <article aria-labelledby="doc-title">
            <h2 id="doc-title">{open.file.path.slice(open.file.path.lastIndexOf('/') + 1)}</h2>
            <p className="path">{open.file.path}</p>
            <ol className="passages" aria-label="Passages">
              {open.passages.map((p) => (
                <li key={p.id} className="passage">
                  <div className="passage-head">
                    <span className="muted small">{formatLocation(p)}</span>
                    <button type="button" className="link" onClick={() => onMoreLikeThis({ kind: 'similar', passageId: p.id, label: `${open.file.path.slice(open.file.path.lastIndexOf('/') + 1)}, ${formatLocation(p)}` })}>
                      More like this<span className="visually-hidden"> ({formatLocation(p)})</span>
                    </button>
                  </div>
                  <p className="passage-text">{p.text}</p>
                  <TermChips terms={p.topTerms} label={`Top terms of ${formatLocation(p)}`} limit={12} />
                </li>
              ))}
            </ol>
          </article>
        )}
      </section>
    </div>
  );
}
