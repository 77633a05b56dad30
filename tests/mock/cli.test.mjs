// The CLI: one `listening on` line, serves, exits cleanly on SIGTERM.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url));

function start(args) {
  const child = spawn(process.execPath, [SERVER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const firstLine = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no output; stderr: ${stderr}`)), 5000);
    child.stdout.on('data', () => {
      if (stdout.includes('\n')) {
        clearTimeout(timer);
        resolve(stdout.slice(0, stdout.indexOf('\n')));
      }
    });
    child.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`exited early; stderr: ${stderr}`));
    });
  });
  return { child, exited, firstLine, output: () => ({ stdout, stderr }) };
}

test('CLI prints one listening line, serves, and exits on SIGTERM', async () => {
  const p = start(['--port', '0', '--seed', '1', '--sessions', '50']);
  const line = await p.firstLine;
  const m = /^listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(line);
  assert.ok(m, line);
  const health = await (await fetch(`${m[1]}/__mock/health`)).json();
  assert.equal(health.ok, true);
  assert.equal(health.seed, 1);
  assert.deepEqual(health.sessions, { mangopay: 50, equals: 50, didit: 50, onfido: 50, stripe: 50 });
  process.kill(p.child.pid, 'SIGTERM');
  const { code, signal } = await p.exited;
  assert.equal(signal, null, 'handled SIGTERM itself');
  assert.equal(code, 0);
  assert.equal(p.output().stdout, `${line}\n`, 'exactly one line on stdout');
});

test('CLI flags reach the server (faults, rate scale, --flag=value)', async () => {
  const p = start(['--port=0', '--sessions', '20', '--faults', '502=1', '--rate-scale', '0.5', '--latency-ms', '5']);
  const url = (await p.firstLine).replace('listening on ', '');
  const health = await (await fetch(`${url}/__mock/health`)).json();
  assert.equal(health.faults['502'], 1);
  assert.equal(health.rateScale, 0.5);
  assert.equal(health.latencyMs, 5);
  const r = await fetch(`${url}/v3/sessions/`, { headers: { 'x-api-key': 'mock-didit-api-key' } });
  assert.equal(r.status, 502);
  process.kill(p.child.pid, 'SIGINT');
  assert.deepEqual(await p.exited, { code: 0, signal: null });
});

test('CLI rejects unknown options with exit code 2', async () => {
  const p = start(['--bogus', '1']);
  p.firstLine.catch(() => {});
  const { code } = await p.exited;
  assert.equal(code, 2);
  assert.match(p.output().stderr, /unknown option --bogus/);
});
