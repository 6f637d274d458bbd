// Times SheetJS reading a file: bytes in memory → a workbook (XLSX.read) →
// the first sheet's rows (sheet_to_json, its defaults). See README.md.
importScripts('/bench-modules/xlsx/dist/xlsx.full.min.js');

self.onmessage = async ({ data: { url, runs } }) => {
  try {
    const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
    const times = [];
    let shape = null;
    for (let run = 0; run < runs; run += 1) {
      const start = performance.now();
      const workbook = XLSX.read(bytes, { type: 'array' });
      const rows = XLSX.utils.sheet_to_json(workbook.Sheets[workbook.SheetNames[0]]);
      times.push(performance.now() - start);
      shape = { rows: rows.length, columns: Object.keys(rows[0] ?? {}).length, version: XLSX.version };
    }
    self.postMessage({ times, shape });
  } catch (error) {
    self.postMessage({ error: String(error?.message ?? error) });
  }
};
