// Times kpilot's engine reading a file: bytes in memory → the KPI table
// (Opening.read), as the page's worker does before the analysis. See README.md.
import init, { Opening } from '/pkg/kpilot.js';

self.onmessage = async ({ data: { url, name, runs } }) => {
  try {
    await init();
    const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
    const times = [];
    let shape = null;
    for (let run = 0; run < runs; run += 1) {
      const start = performance.now();
      const opening = Opening.read(bytes, name, undefined, undefined, undefined, undefined);
      times.push(performance.now() - start);
      shape = { kpis: opening.kpis(), periods: opening.periods() };
      opening.free();
    }
    self.postMessage({ times, shape });
  } catch (error) {
    self.postMessage({ error: String(error?.message ?? error) });
  }
};
