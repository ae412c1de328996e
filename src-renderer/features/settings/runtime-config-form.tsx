/**
 * The runtime configuration as a form (default agent, model, providers, ports, hosts, watcher,
 * trusted folders),
 * validated with the contract's own schema before PUT, with the resulting JSON visible.
 */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { runtimeConfigSchema, type RuntimeConfig } from '../../../src-runtime/contract/runtime.js';
import { Field, JsonPreview, listToText, textToList, validate, type FieldErrors } from '../../ui/form.js';
import { QueryView } from '../../ui/states.js';
import { useToasts } from '../../ui/toasts.js';
import { runtimeConfigQuery, useSaveRuntimeConfig } from '../system/queries.js';

type Provider = RuntimeConfig['providers'][number];

const linesToList = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

export function RuntimeConfigForm() {
  const query = useQuery(runtimeConfigQuery());
  return <QueryView query={query} loading="Loading the runtime config">{(data) => <ConfigEditor initial={data.config} />}</QueryView>;
}

function ConfigEditor({ initial }: { initial: RuntimeConfig }) {
  const [draft, setDraft] = useState<RuntimeConfig>(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const save = useSaveRuntimeConfig();
  const toasts = useToasts();
  useEffect(() => setDraft(initial), [initial]);
  const set = <K extends keyof RuntimeConfig>(key: K, value: RuntimeConfig[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const setProvider = (i: number, patch: Partial<Provider>) =>
    set(
      'providers',
      draft.providers.map((p, j) => {
        if (j !== i) return p;
        const next: Record<string, unknown> = { ...p, ...patch };
        for (const k of Object.keys(next)) if (next[k] === '') delete next[k];
        return next as Provider;
      }),
    );
  const dirty = JSON.stringify(draft) !== JSON.stringify(initial);
  // The text as typed (blank lines included) while it still says what the draft holds; after a save
  // or a revert the draft wins.
  const [trustedText, setTrustedText] = useState('');
  const shownTrusted = JSON.stringify(linesToList(trustedText)) === JSON.stringify(draft.trusted_folders) ? trustedText : draft.trusted_folders.join('\n');

  const submit = () => {
    const result = validate(runtimeConfigSchema, draft);
    if (!result.ok) return setErrors(result.errors);
    setErrors({});
    save.mutate(result.data, {
      onSuccess: () => toasts.show('success', 'Runtime config saved'),
      onError: (e) => toasts.error('Could not save the runtime config', e),
    });
  };

  return (
    <div className="settings-grid">
      <form
        aria-label="Runtime configuration"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <Field id="cfg-agent" label="Default agent" hint="Agent name used when a session does not name one" error={errors.default_agent}>
          <input id="cfg-agent" className="input" value={draft.default_agent ?? ''} onChange={(e) => set('default_agent', e.target.value || null)} />
        </Field>
        <Field id="cfg-model" label="Default model" hint="For agents that take a model" error={errors.model}>
          <input id="cfg-model" className="input" value={draft.model ?? ''} onChange={(e) => set('model', e.target.value || null)} />
        </Field>
        <fieldset className="field" style={{ border: '1px solid var(--border)', borderRadius: 6 }}>
          <legend>Model providers</legend>
          {draft.providers.length === 0 && <p className="muted">No providers configured.</p>}
          {draft.providers.map((p, i) => (
            <div key={i} className="row" style={{ marginBottom: 6 }} role="group" aria-label={`Provider ${i + 1}`}>
              <input className="input" aria-label="Provider name" placeholder="name" value={p.name} onChange={(e) => setProvider(i, { name: e.target.value })} />
              <input className="input" aria-label="Base URL" placeholder="https://…" value={p.base_url ?? ''} onChange={(e) => setProvider(i, { base_url: e.target.value })} />
              <input className="input" aria-label="API key environment variable" placeholder="API key env var" value={p.api_key_env ?? ''} onChange={(e) => setProvider(i, { api_key_env: e.target.value })} />
              <input className="input" aria-label="Default model" placeholder="default model" value={p.default_model ?? ''} onChange={(e) => setProvider(i, { default_model: e.target.value })} />
              <button type="button" className="icon-button" aria-label={`Remove provider ${p.name || i + 1}`} onClick={() => set('providers', draft.providers.filter((_, j) => j !== i))}>
                ×
              </button>
              {Object.entries(errors)
                .filter(([k]) => k.startsWith(`providers.${i}.`))
                .map(([k, m]) => (
                  <span key={k} className="invalid">
                    {k.split('.').pop()}: {m}
                  </span>
                ))}
            </div>
          ))}
          <button type="button" className="button button-small" onClick={() => set('providers', [...draft.providers, { name: '' }])}>
            Add provider
          </button>
        </fieldset>
        <div className="row">
          <Field id="cfg-port-start" label="App ports from" error={errors['app_port_range.start']}>
            <input id="cfg-port-start" className="input" type="number" value={draft.app_port_range.start} onChange={(e) => set('app_port_range', { ...draft.app_port_range, start: Number(e.target.value) })} />
          </Field>
          <Field id="cfg-port-end" label="to" error={errors['app_port_range.end'] ?? errors.app_port_range}>
            <input id="cfg-port-end" className="input" type="number" value={draft.app_port_range.end} onChange={(e) => set('app_port_range', { ...draft.app_port_range, end: Number(e.target.value) })} />
          </Field>
        </div>
        <Field id="cfg-hosts" label="Allowed hosts" hint="Extra Host names accepted besides loopback, comma-separated" error={errors.allowed_hosts}>
          <input id="cfg-hosts" className="input" value={listToText(draft.allowed_hosts)} onChange={(e) => set('allowed_hosts', textToList(e.target.value))} />
        </Field>
        <Field id="cfg-ignore" label="Watcher ignores" hint="Folder names the file watcher skips, comma-separated" error={errors.watcher_ignore}>
          <input id="cfg-ignore" className="input" value={listToText(draft.watcher_ignore)} onChange={(e) => set('watcher_ignore', textToList(e.target.value))} />
        </Field>
        <Field
          id="cfg-trusted"
          label="Trusted folders"
          hint="Absolute paths, one per line: every workspace inside one is trusted (its apps, scripts, agents and hooks may run)"
          error={errors.trusted_folders ?? Object.entries(errors).find(([k]) => k.startsWith('trusted_folders.'))?.[1]}
        >
          <textarea
            id="cfg-trusted"
            className="textarea"
            rows={3}
            value={shownTrusted}
            onChange={(e) => {
              setTrustedText(e.target.value);
              set('trusted_folders', linesToList(e.target.value));
            }}
          />
        </Field>
        <Field id="cfg-perm" label="Permission timeout (seconds)" error={errors.permission_timeout_s}>
          <input id="cfg-perm" className="input" type="number" value={draft.permission_timeout_s} onChange={(e) => set('permission_timeout_s', Number(e.target.value))} />
        </Field>
        <div className="row">
          <button type="submit" className="button button-primary" disabled={!dirty || save.isPending}>
            {save.isPending ? 'Saving…' : 'Save'}
          </button>
          <button type="button" className="button" disabled={!dirty} onClick={() => (setDraft(initial), setErrors({}))}>
            Revert
          </button>
        </div>
      </form>
      <JsonPreview value={draft} label="Runtime config JSON" />
    </div>
  );
}
