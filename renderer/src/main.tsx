/** Renderer entry: find the API (preload bridge or serve mode's HTTP client), then render the app. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { resolveApi } from './api-source.js';
import { connectHttpApi } from './http-connector.js';
import { EngineProvider } from './hooks/engine-context.js';
import { NoticeProvider } from './hooks/notice-context.js';
import { App } from './app.js';
import { StateMessage } from './components/state-message.js';
import './styles/app.css';

const root = createRoot(document.getElementById('root')!);
resolveApi(window, connectHttpApi).then(
  (source) => {
    if (source.kind === 'none') {
      root.render(<StateMessage kind="error" title="Not connected">{source.reason}</StateMessage>);
      return;
    }
    root.render(
      <StrictMode>
        <NoticeProvider>
          <EngineProvider api={source.api}>
            <App />
          </EngineProvider>
        </NoticeProvider>
      </StrictMode>,
    );
  },
  (error: unknown) => root.render(<StateMessage kind="error" title="Could not connect">{String(error)}</StateMessage>),
);
