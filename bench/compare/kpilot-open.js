// Opens a file with kpilot's engine the way the page's worker does
// (Opening.read, analyseKpis, scanLeadLag, finish, report()), once, and says
// how long each stage took and how large the WebAssembly memory grew (it
// never shrinks, so its size at the end is the engine's peak). The page's
// own file limit (www/worker.js) is not applied: this is how the limit is
// chosen. See README.md.
import init, { Opening } from '/pkg/kpilot.js';

self.onmessage = async ({ data: { url, name } }) => {
  try {
    const wasm = await init();
    const memory = () => wasm.memory.buffer.byteLength;
    const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
    const stages = [];
    const stage = (what, call) => {
      const start = performance.now();
      const value = call();
      stages.push({ what, ms: performance.now() - start, memory: memory() });
      return value;
    };
    const opening = stage('read', () => Opening.read(bytes, name, undefined, undefined, undefined, undefined));
    const shape = { kpis: opening.kpis(), periods: opening.periods() };
    stage('analyse', () => opening.analyseKpis());
    stage('lead/lag', () => opening.scanLeadLag());
    const session = stage('finish', () => opening.finish());
    const json = stage('report', () => session.report());
    session.free();
    self.postMessage({ stages, shape, reportChars: json.length, memory: memory() });
  } catch (error) {
    self.postMessage({ error: String(error?.message ?? error) });
  }
};
