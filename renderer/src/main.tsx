/** Renderer entry: get the API (preload bridge or serve mode's HTTP client), then render the app. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { apiForPage } from './api-source.js';
import { EngineProvider } from './hooks/engine-context.js';
import { NoticeProvider } from './hooks/notice-context.js';
import { App } from './app.js';
import './styles/app.css';

const { api } = apiForPage(window);
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <NoticeProvider>
      <EngineProvider api={api}>
        <App />
      </EngineProvider>
    </NoticeProvider>
  </StrictMode>,
);
