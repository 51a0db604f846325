/** Open a file (at its page or line) and reveal it in its folder, through the host; says what happened either way. */
import { useCallback } from 'react';
import { useEngine } from './engine-context.js';
import { useNotify } from './notice-context.js';
import { errorText } from '../lib/error-text.js';

function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

export function useFileActions() {
  const { api, host } = useEngine();
  const notify = useNotify();
  const open = useCallback(async (path: string, page: number | null, line: number | null) => {
    try {
      const params: { path: string; page?: number; line?: number } = { path };
      if (page !== null) params.page = page;
      if (line !== null) params.line = line;
      const { opened } = await api.openFile(params);
      const where = page !== null ? ` at page ${page}` : line !== null ? ` at line ${line}` : '';
      notify(opened
        ? { kind: 'info', text: `Opened ${baseName(path)}${where}` }
        : { kind: 'error', text: host?.host === 'serve' ? `Files open only in the desktop app; the file is ${path}` : `Could not open ${path}` });
    } catch (error) {
      notify({ kind: 'error', text: `Could not open ${baseName(path)}: ${errorText(error)}` });
    }
  }, [api, host, notify]);
  const reveal = useCallback(async (path: string) => {
    try {
      const { revealed } = await api.revealFile({ path });
      notify(revealed
        ? { kind: 'info', text: `Showing ${baseName(path)} in its folder` }
        : { kind: 'error', text: host?.host === 'serve' ? `The file manager opens only in the desktop app; the file is ${path}` : `Could not show ${path}` });
    } catch (error) {
      notify({ kind: 'error', text: `Could not show ${baseName(path)} in its folder: ${errorText(error)}` });
    }
  }, [api, host, notify]);
  return { open, reveal };
}
