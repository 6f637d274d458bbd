// scripts/serve.mjs: the types the browser insists on, the policy header,
// no way out of the served folder, and the command line. Needs no browser.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CONTENT_SECURITY_POLICY, startServer } from '../../scripts/serve.mjs';

const SERVE = fileURLToPath(new URL('../../scripts/serve.mjs', import.meta.url));

// A raw GET, so paths such as /../x reach the server unnormalised.
function get(url, path) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const outgoing = request({ hostname, port, path, method: 'GET' }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe('serve.mjs', () => {
  let root;
  let server;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'kpilot-serve-'));
    await mkdir(join(root, 'pkg'));
    await writeFile(join(root, 'index.html'), '<!doctype html><title>t</title>');
    await writeFile(join(root, 'main.js'), 'export {};');
    await writeFile(join(root, 'style.css'), 'body{}');
    await writeFile(join(root, 'pkg', 'kpilot_bg.wasm'), Buffer.from([0, 97, 115, 109, 1, 0, 0, 0]));
    await writeFile(join(root, 'sample.xlsx'), 'PK');
    server = await startServer({ root, port: 0 });
  });

  after(async () => {
    await server?.close();
    await rm(root, { recursive: true, force: true });
  });

  test('binds 127.0.0.1 on a free port', () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.ok(server.port > 0);
  });

  test('serves each file with its type and the page policy', async () => {
    const expected = {
      '/': 'text/html; charset=utf-8',
      '/main.js': 'text/javascript; charset=utf-8',
      '/style.css': 'text/css; charset=utf-8',
      '/pkg/kpilot_bg.wasm': 'application/wasm',
      '/sample.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    };
    for (const [path, type] of Object.entries(expected)) {
      const response = await get(server.url, path);
      assert.equal(response.status, 200, path);
      assert.equal(response.headers['content-type'], type, path);
      assert.equal(response.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
      assert.equal(response.headers['x-content-type-options'], 'nosniff');
    }
  });

  test('answers 404 for a missing file and never leaves its folder', async () => {
    assert.equal((await get(server.url, '/nope.js')).status, 404);
    for (const path of ['/../package.json', '/..%2fpackage.json', '/%2e%2e/%2e%2e/etc/passwd', '/pkg/../../etc/passwd']) {
      const response = await get(server.url, path);
      assert.ok([403, 404].includes(response.status), `${path} → ${response.status}`);
      assert.doesNotMatch(response.body.toString(), /root:|"name"/);
    }
  });

  test('the command line prints the URL of a free port', async () => {
    const child = spawn(process.execPath, [SERVE, '--port', '0', '--root', root], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let timer;
      const line = await new Promise((resolve, reject) => {
        let output = '';
        child.stdout.on('data', (chunk) => {
          output += chunk;
          const match = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(output);
          if (match) resolve(match[0]);
        });
        child.on('exit', (code) => reject(new Error(`serve.mjs exited with ${code}: ${output}`)));
        timer = setTimeout(() => reject(new Error(`no URL printed: ${output}`)), 10_000);
      }).finally(() => clearTimeout(timer));
      assert.equal((await get(line, '/')).status, 200);
    } finally {
      child.kill();
    }
  });

  test('the command line refuses a bad port', async () => {
    const child = spawn(process.execPath, [SERVE, '--port', 'x'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const code = await new Promise((resolve) => child.on('exit', resolve));
    assert.equal(code, 2);
  });
});
