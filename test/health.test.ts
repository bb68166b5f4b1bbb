import { describe, expect, it } from 'vitest';
import { call } from './helpers';

describe('health and headers', () => {
  it('answers /healthz with the envelope and a request id', async () => {
    const response = await call('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { status: 'ok' } });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
