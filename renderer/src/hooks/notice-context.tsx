/** Short notices ("Opened stars.pdf at page 3", "Could not open…") in one polite live region, cleared after a while. */
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';

export interface Notice {
  text: string;
  kind: 'info' | 'error';
}

const Context = createContext<(notice: Notice) => void>(() => {});

export function useNotify(): (notice: Notice) => void {
  return useContext(Context);
}

export function NoticeProvider({ children }: { children: ReactNode }) {
  const [notice, setNotice] = useState<(Notice & { at: number }) | null>(null);
  const notify = useCallback((n: Notice) => setNotice({ ...n, at: Date.now() }), []);
  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(null), notice.kind === 'error' ? 8000 : 4000);
    return () => clearTimeout(timer);
  }, [notice]);
  return (
    <Context.Provider value={notify}>
      {children}
      <div className="notice-region" aria-live="polite" role="status">
        {notice && <p className={`toast toast-${notice.kind}`}>{notice.text}</p>}
      </div>
    </Context.Provider>
  );
}
