/** The app's frame: navigation between Search, Inspect, Browse, Folders and Settings, the indexing progress, the theme. */
import { useEffect, useRef, useState } from 'react';
import { useEngine } from './hooks/engine-context.js';
import { SearchView, type SearchMode } from './components/search-view.js';
import { InspectView } from './components/inspect-view.js';
import { BrowseView } from './components/browse-view.js';
import { FoldersView } from './components/folders-view.js';
import { SettingsView } from './components/settings-view.js';
import { ProgressBar } from './components/progress-bar.js';
import { FirstRun } from './components/first-run.js';
import { StateMessage } from './components/state-message.js';

const VIEWS = [
  { id: 'search', label: 'Search' },
  { id: 'inspect', label: 'Inspect' },
  { id: 'browse', label: 'Browse' },
  { id: 'folders', label: 'Folders' },
  { id: 'settings', label: 'Settings' },
] as const;
type ViewId = (typeof VIEWS)[number]['id'];

export function App() {
  const { status, settings, loadError, refresh } = useEngine();
  const [view, setView] = useState<ViewId>('search');
  const [mode, setMode] = useState<SearchMode>({ kind: 'query' });
  const mainRef = useRef<HTMLElement>(null);

  // The theme setting overrides the system's; 'system' leaves it to prefers-color-scheme (styles/app.css).
  useEffect(() => {
    document.documentElement.dataset.theme = settings?.theme ?? 'system';
  }, [settings?.theme]);

  // Alt+1..5 switch views; Ctrl/Cmd+K goes to the search box from anywhere.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.altKey && !event.ctrlKey && !event.metaKey && /^Digit[1-5]$/.test(event.code)) {
        event.preventDefault();
        setView(VIEWS[Number(event.code.slice(5)) - 1]!.id);
      } else if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'k') {
        event.preventDefault();
        setView('search');
        document.querySelector<HTMLInputElement>('input[type="search"]')?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const modelReady = status?.model.state === 'ready';

  return (
    <div className="app">
      <header className="app-header">
        <h1 className="app-name">splade-search</h1>
        <nav aria-label="Views">
          <ul className="tabs">
            {VIEWS.map((v, i) => (
              <li key={v.id}>
                <button type="button" className="tab" aria-current={view === v.id ? 'page' : undefined} onClick={() => setView(v.id)} title={`Alt+${i + 1}`}>
                  {v.label}
                </button>
              </li>
            ))}
          </ul>
        </nav>
        <ProgressBar />
      </header>
      <main ref={mainRef} className={`view view-${view}`}>
        {loadError ? (
          <StateMessage kind="error" title="Cannot reach the search engine">
            <p>{loadError}</p>
            <p>If you use serve mode, check that <code>splade-search serve</code> is still running, then retry.</p>
            <button type="button" onClick={() => void refresh()}>Retry</button>
          </StateMessage>
        ) : !status ? (
          <StateMessage kind="loading" title="Connecting…" />
        ) : (
          <>
            <div hidden={view !== 'search'} className="view-pane">
              {modelReady ? <SearchView mode={mode} setMode={setMode} active={view === 'search'} /> : <FirstRun />}
            </div>
            {view === 'inspect' && (modelReady ? <InspectView /> : <FirstRun />)}
            {view === 'browse' && <BrowseView onMoreLikeThis={(m) => { setMode(m); setView('search'); }} />}
            {view === 'folders' && <FoldersView />}
            {view === 'settings' && <SettingsView />}
          </>
        )}
      </main>
    </div>
  );
}
