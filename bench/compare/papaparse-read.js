// Times PapaParse reading a CSV: bytes in memory → text (TextDecoder) → rows
// of typed values (dynamicTyping, no worker of its own). See README.md.
importScripts('/bench-modules/papaparse/papaparse.min.js');

self.onmessage = async ({ data: { url, runs } }) => {
  try {
    const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
    const times = [];
    let shape = null;
    for (let run = 0; run < runs; run += 1) {
      const start = performance.now();
      const text = new TextDecoder().decode(bytes);
      const parsed = Papa.parse(text, { dynamicTyping: true, worker: false });
      times.push(performance.now() - start);
      shape = { rows: parsed.data.length, columns: parsed.data[0]?.length ?? 0, errors: parsed.errors.length };
    }
    self.postMessage({ times, shape });
  } catch (error) {
    self.postMessage({ error: String(error?.message ?? error) });
  }
};
