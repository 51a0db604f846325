/** Empty, loading and error states: what is happening and what to do next. */
import type { ReactNode } from 'react';

export function StateMessage({ kind, title, children }: { kind: 'empty' | 'loading' | 'error'; title: string; children?: ReactNode }) {
  return (
    <div className={`state state-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {kind === 'loading' && <span className="spinner" aria-hidden="true" />}
      <p className="state-title">{title}</p>
      {children && <div className="state-body">{children}</div>}
    </div>
  );
}
