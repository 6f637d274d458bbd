#!/usr/bin/env node
// Serves the page with the mock engine (tests/browser/mock-engine) in place of
// www/pkg, for working on the UI without an engine build:
//   node tests/browser/dev-mock.mjs [--port N]
// Needs www/vendor (scripts/build-web.sh, or copy node_modules/uplot/dist/uPlot.esm.js
// and uPlot.min.css there).
import { fileURLToPath } from 'node:url';
import { startServer } from '../../scripts/serve.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const portIndex = process.argv.indexOf('--port');
const port = portIndex > 0 ? Number(process.argv[portIndex + 1]) : 0;
const server = await startServer({
  port,
  mounts: {
    '/pkg/': here('./mock-engine/'),
    '/mock/': here('./'),
    '/sample.xlsx': here('./mock-report.json'),
  },
});
console.log(`kpilot (mock engine) at ${server.url}`);
