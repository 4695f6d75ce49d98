import { describe, expect, it } from 'vitest';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { closeAfterEach } from '../../helpers/close-after-each.js';
import { startHttpServer } from '../../helpers/http-server.js';

const open = closeAfterEach();

/** Runs the child fixture to its end (bounded) and returns its exit code and stdout. */
async function runChild(mode: string, address: string): Promise<{ code: number | null; out: string }> {
  const child = fork(new URL('./fixtures/pending-call-child.ts', import.meta.url), [mode, address], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  try {
    const [code] = (await once(child, 'exit')) as [number | null];
    return { code, out };
  } finally {
    clearTimeout(killer);
  }
}

/** Answers 503 to its first request and 200 after, so the call waits on a retry's backoff. */
async function flakyServer() {
  let n = 0;
  return open.add(
    await startHttpServer((req, res) => {
      req.resume();
      if (n++ === 0) res.writeHead(503).end('busy');
      else res.end('ok');
    }),
  );
}

describe('process lifetime', () => {
  it('a call waiting on a retry backoff keeps the process alive (top-level await), and it exits once the call is done', async () => {
    const s = await flakyServer();
    const { code, out } = await runChild('await-backoff', s.address);
    expect(code).toBe(0); // not 13 (top-level await never settled)
    expect(JSON.parse(out.trim())).toEqual({ status: 200, body: 'ok' });
    expect(s.hits()).toBe(2);
  });

  it('a call waiting on an injected delay runs its .then handlers before the process exits', async () => {
    const s = await flakyServer();
    const { code, out } = await runChild('then-fault', s.address);
    expect(code).toBe(0);
    expect(JSON.parse(out.trim())).toEqual({ status: 200, body: 'ok' });
  });

  it('an idle mesh, never closed, lets the process exit by itself', async () => {
    const { code, out } = await runChild('idle', '127.0.0.1:9');
    expect(code).toBe(0);
    expect(JSON.parse(out.trim())).toEqual({ idle: true });
  });
});
