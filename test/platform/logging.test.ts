// The request log is written off the request path: a log collector that stops reading does not
// stop the service, and what was logged meanwhile is written out once it reads again (at the
// latest when the process exits). The real application runs as a process; its standard output
// is a pipe that this test stops reading.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../helpers/server.js';

const REQUESTS = 4000;

describe('request log', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ readyTimeoutMs: 120_000 });
  });
  afterAll(async () => {
    server.child.stdout?.resume();
    await server?.stop();
  });

  it('writes one line per request: request id, method, route pattern, status, duration', async () => {
    const res = await fetch(`${server.url}/api/dossiers/4f9c2a51-0000-4000-8000-000000000000?onBehalfOf=x`, {
      headers: { 'x-request-id': 'test-line-0001' },
    });
    expect(res.status).toBe(401);
    let line: Record<string, unknown> | undefined;
    const deadline = Date.now() + 5_000;
    while (!line && Date.now() < deadline) {
      line = server
        .logs()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.reqId === 'test-line-0001');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(line && Object.keys(line)).toEqual([
      'level',
      'time',
      'service',
      'reqId',
      'method',
      'route',
      'status',
      'ms',
      'msg',
    ]);
    expect(line).toMatchObject({
      level: 30,
      service: 'delegations-de-droits',
      method: 'GET',
      route: '/api/dossiers/:id',
      status: 401,
      msg: 'request',
    });
    expect(typeof line?.ms).toBe('number');
  });

  it('keeps answering while the log collector does not read, then writes every line', async () => {
    const requestLines = () =>
      server
        .logs()
        .split('\n')
        .filter((l) => l.includes('"msg":"request"') && l.includes('"route":"/health"')).length;
    const before = requestLines();
    // Each line is about 200 bytes: REQUESTS lines are several times what the pipe holds.
    server.child.stdout?.pause();
    let next = 0;
    let answered = 0;
    const worker = async () => {
      while (next < REQUESTS) {
        next++;
        const res = await fetch(`${server.url}/health`, { signal: AbortSignal.timeout(5_000) });
        expect(res.status).toBe(200);
        await res.arrayBuffer();
        answered++;
      }
    };
    await Promise.all(Array.from({ length: 10 }, worker));
    expect(answered).toBe(REQUESTS);
    // Nothing was read meanwhile: the lines were waiting in the process.
    expect(requestLines() - before).toBeLessThan(REQUESTS);

    server.child.stdout?.resume();
    expect(await server.stop()).toBe(0);
    expect(requestLines() - before).toBe(REQUESTS);
  }, 120_000);
});
