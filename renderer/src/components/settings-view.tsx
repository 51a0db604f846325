/** Settings: model (Hub id or folder), device (this machine's choices and the one in use), passage size, ignore patterns, hotkey, theme. */
import { useEffect, useState, type FormEvent } from 'react';
import type { Settings } from '../../../app/api/api-types.js';
import { useEngine } from '../hooks/engine-context.js';
import { useNotify } from '../hooks/notice-context.js';
import { errorText } from '../lib/error-text.js';
import { StateMessage } from './state-message.js';

export function SettingsView() {
  const { api, settings, status, host, setSettings } = useEngine();
  const notify = useNotify();
  const [draft, setDraft] = useState<Settings | null>(settings);
  const [ignoreText, setIgnoreText] = useState('');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setDraft(settings);
    setIgnoreText(settings?.ignorePatterns.join('\n') ?? '');
  }, [settings]);

  if (!draft || !settings) return <StateMessage kind="loading" title="Loading settings…" />;

  const devices = ['auto', ...(status?.devices ?? []).filter((d) => d !== 'auto')];
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const next: Settings = { ...draft, ignorePatterns: ignoreText.split('\n').map((l) => l.trim()).filter((l) => l !== '') };
    const changed: Partial<Settings> = {};
    for (const key of Object.keys(next) as (keyof Settings)[]) {
      if (JSON.stringify(next[key]) !== JSON.stringify(settings[key])) (changed as Record<string, unknown>)[key] = next[key];
    }
    if (Object.keys(changed).length === 0) {
      notify({ kind: 'info', text: 'Nothing changed' });
      return;
    }
    try {
      const saved = await api.setSettings(changed);
      setSettings(saved);
      notify({ kind: 'info', text: changed.model || changed.passageTokens || changed.passageOverlap ? 'Saved; the index is rebuilt in the background and stays searchable meanwhile' : 'Saved' });
    } catch (e) {
      setError(errorText(e));
    }
  };
  const set = <K extends keyof Settings>(key: K, value: Settings[K]) => setDraft({ ...draft, [key]: value });

  return (
    <form className="settings-view" onSubmit={(e) => void save(e)} aria-label="Settings">
      <fieldset>
        <legend>Model</legend>
        <label className="field">
          Model (Hugging Face id or local folder)
          <input type="text" value={draft.model} onChange={(e) => set('model', e.target.value)} spellCheck={false} aria-describedby="model-hint" />
        </label>
        <p id="model-hint" className="muted small">
          In use: {status?.model.name ?? '…'} ({status?.model.state ?? 'unknown'}){status?.model.folder ? ` from ${status.model.folder}` : ''}.
          Changing it re-indexes in the background.
        </p>
        <label className="field">
          Device
          <select value={draft.device} onChange={(e) => set('device', e.target.value as Settings['device'])} aria-describedby="device-hint">
            {devices.map((d) => <option key={d} value={d}>{d}</option>)}
          </select>
        </label>
        <p id="device-hint" className="muted small">
          {status?.encoder ? `Running on ${status.encoder.provider} (${status.encoder.precision}).` : 'The encoder is not loaded yet.'}
          {status?.encoder?.reasons.length ? ` ${status.encoder.reasons.join(' ')}` : ''}
        </p>
      </fieldset>
      <fieldset>
        <legend>Passages</legend>
        <div className="row">
          <label className="field">
            Passage size (tokens)
            <input type="number" min={16} max={512} value={draft.passageTokens} onChange={(e) => set('passageTokens', Number(e.target.value))} />
          </label>
          <label className="field">
            Overlap (tokens)
            <input type="number" min={0} max={256} value={draft.passageOverlap} onChange={(e) => set('passageOverlap', Number(e.target.value))} />
          </label>
        </div>
        <label className="field">
          Ignore patterns (one per line, .gitignore syntax)
          <textarea rows={4} value={ignoreText} onChange={(e) => setIgnoreText(e.target.value)} spellCheck={false} placeholder={'node_modules/\n*.log'} />
        </label>
      </fieldset>
      <fieldset>
        <legend>App</legend>
        <label className="field">
          Global hotkey{host?.host === 'serve' ? ' (desktop app only)' : ''}
          <input type="text" value={draft.hotkey} onChange={(e) => set('hotkey', e.target.value)} placeholder="CommandOrControl+Shift+Space" spellCheck={false} />
        </label>
        <div role="radiogroup" aria-label="Theme" className="row theme-choice">
          {(['system', 'light', 'dark'] as const).map((t) => (
            <label key={t} className="radio">
              <input type="radio" name="theme" value={t} checked={draft.theme === t} onChange={() => set('theme', t)} />
              {t === 'system' ? 'Follow the system' : t === 'light' ? 'Light' : 'Dark'}
            </label>
          ))}
        </div>
      </fieldset>
      {error && <p className="error-text" role="alert">{error}</p>}
      <div className="actions">
        <button type="submit" className="primary">Save settings</button>
        <button type="button" onClick={() => { setDraft(settings); setIgnoreText(settings.ignorePatterns.join('\n')); }}>Revert</button>
      </div>
    </form>
  );
}
