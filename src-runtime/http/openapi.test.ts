import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startTestRuntime, type TestRuntime } from '../../test-support/runtime-harness.js';
import { ContractChecker } from '../../test-support/checked-fetch.js';

describe('the OpenAPI document', () => {
  let rt: TestRuntime;
  let doc: any;
  beforeAll(async () => {
    rt = await startTestRuntime();
    doc = (await rt.json('/api/v1/openapi.json')).body;
  });
  afterAll(() => rt.close());

  it('is OpenAPI 3.1 with a unique operation id and documented errors on every operation', () => {
    expect(doc.openapi).toBe('3.1.0');
    const ids = new Set<string>();
    for (const [path, ops] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(ops)) {
        expect(op.operationId, `${method} ${path}`).toBeTruthy();
        expect(ids.has(op.operationId)).toBe(false);
        ids.add(op.operationId);
        if (op['x-access'] === 'token') expect(op.responses['401'], `${method} ${path} documents 401`).toBeDefined();
      }
    }
    expect(ids.has('workspaces.list')).toBe(true);
    expect(ids.has('agh.workspaces.list')).toBe(true);
    expect(doc.components.schemas.Workspace).toBeDefined();
  });

  it('is served as YAML too, with the same content', async () => {
    const res = await rt.api('/api/v1/openapi.yaml');
    expect(res.headers.get('content-type')).toContain('yaml');
    expect(parse(await res.text())).toEqual(doc);
  });

  it('has a readable reference page that needs no network', async () => {
    const res = await rt.api('/api/v1/docs');
    const html = await res.text();
    expect(html).toContain('/api/v1/workspaces');
    expect(html).toContain('workspaces.create');
    expect(html).not.toMatch(/<script|https?:\/\/(?!127)/);
  });

  it('catches undocumented statuses and bodies that do not match', () => {
    const checker = new ContractChecker(doc);
    expect(() => checker.check('GET', '/api/v1/workspaces', 418, 'application/json', {})).toThrow(/does not document/);
    expect(() => checker.check('GET', '/api/v1/workspaces', 200, 'application/json', { workspaces: [{ id: 1 }] })).toThrow(/does not match/);
    expect(() => checker.check('GET', '/api/v1/workspaces', 200, 'application/json', { workspaces: [] })).not.toThrow();
  });
});
