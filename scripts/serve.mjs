#!/usr/bin/env node
// A tiny static file server for kpilot's page (`www/`), with no dependencies.
//
//   node scripts/serve.mjs              serves www/ on http://127.0.0.1:8080/
//   node scripts/serve.mjs 9000         ... on port 9000 (or PORT=9000)
//   node scripts/serve.mjs --port 0     ... on a free port, printed on start
//   node scripts/serve.mjs --root DIR   serves DIR instead of www/
//
// It binds 127.0.0.1 only, sends `application/wasm` for the engine (which
// `WebAssembly.instantiateStreaming` insists on), and sends the page's
// Content-Security-Policy as a header too, because a `<meta>` policy does not
// reach the Web Worker. Tests import `startServer` instead of spawning it.

import { createServer } from 'node:http';
import { stat, readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(new URL('.', import.meta.url));
export const DEFAULT_ROOT = resolve(HERE, '..', 'www');

const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.xls': 'application/vnd.ms-excel',
  '.ods': 'application/vnd.oasis.opendocument.spreadsheet',
};

/** The same policy as the `<meta>` tag in www/index.html. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "style-src 'self'",
  'img-src \'self\' data: blob:',
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/**
 * Maps a URL path to a file under `root`, or null when it would escape it.
 * `mounts` maps a URL prefix such as '/pkg/' to another directory (used by
 * development harnesses; the page itself never needs it).
 */
function resolvePath(root, mounts, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  let base = root;
  let rest = decoded;
  for (const [prefix, dir] of Object.entries(mounts)) {
    if (decoded.startsWith(prefix)) {
      base = resolve(dir);
      rest = decoded.slice(prefix.length);
      break;
    }
  }
  const full = normalize(join(base, rest));
  if (full !== base && !full.startsWith(base + sep)) return null;
  return full;
}

/**
 * Starts serving `root` on 127.0.0.1. `port` 0 picks a free port.
 * Resolves to `{url, port, close}`; `close()` resolves once the server stopped.
 */
export async function startServer({ root = DEFAULT_ROOT, port = 0, mounts = {}, quiet = true } = {}) {
  const absoluteRoot = resolve(root);
  const server = createServer(async (request, response) => {
    const send = (status, body, type = 'text/plain; charset=utf-8') => {
      response.writeHead(status, {
        'Content-Type': type,
        'Content-Security-Policy': CONTENT_SECURITY_POLICY,
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'no-cache',
      });
      response.end(request.method === 'HEAD' ? undefined : body);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(405, 'Method not allowed\n');
      return;
    }
    const urlPath = new URL(request.url, 'http://localhost').pathname;
    let file = resolvePath(absoluteRoot, mounts, urlPath);
    if (file === null) {
      send(403, 'Forbidden\n');
      return;
    }
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      send(200, body, MIME_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream');
      if (!quiet) console.log(`200 ${urlPath}`);
    } catch {
      send(404, 'Not found\n');
      if (!quiet) console.log(`404 ${urlPath}`);
    }
  });
  await new Promise((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(port, '127.0.0.1', resolveListen);
  });
  const actualPort = server.address().port;
  return {
    url: `http://127.0.0.1:${actualPort}/`,
    port: actualPort,
    close: () =>
      new Promise((resolveClose) => {
        server.closeAllConnections?.();
        server.close(() => resolveClose());
      }),
  };
}

function parseArguments(argv) {
  const options = { port: process.env.PORT ? Number(process.env.PORT) : 8080, root: DEFAULT_ROOT };
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index];
    if (argument === '--port' || argument === '-p') options.port = Number(argv[++index]);
    else if (argument.startsWith('--port=')) options.port = Number(argument.slice(7));
    else if (argument === '--root') options.root = argv[++index];
    else if (/^\d+$/.test(argument)) options.port = Number(argument);
    else {
      console.error(`usage: serve.mjs [PORT | --port N] [--root DIR]  (unknown argument '${argument}')`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    console.error('serve.mjs: the port must be a whole number between 0 and 65535');
    process.exit(2);
  }
  return options;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const options = parseArguments(process.argv.slice(2));
  const { url } = await startServer({ ...options, quiet: false });
  console.log(`kpilot is served from ${resolve(options.root)} at ${url}`);
}
