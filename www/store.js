// The files a person opened and what they changed, kept in this browser
// (IndexedDB) until they say "forget": the bytes, the sheet and mapping
// chosen, the target and direction edits, the horizon and a metadata sheet
// loaded with the file. Nothing here leaves the browser.
//
// A record: {id, name, size, savedAt, bytes: Blob, sheet, mapping, edits:
// [{kpi, field, value}], horizon, targets: {name, bytes: Blob}|null}.

const DB_NAME = 'kpilot';
const STORE = 'files';
const KEEP = 5; // the most recent files kept; older ones are dropped

let opening = null;

function database() {
  if (!('indexedDB' in globalThis)) return Promise.reject(new Error('This browser keeps no files (no IndexedDB).'));
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'id' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  opening.catch(() => {
    opening = null;
  });
  return opening;
}

function run(mode, work) {
  return database().then(
    (db) =>
      new Promise((resolve, reject) => {
        const transaction = db.transaction(STORE, mode);
        const store = transaction.objectStore(STORE);
        let result;
        Promise.resolve(work(store)).then((value) => {
          result = value;
        });
        transaction.oncomplete = () => resolve(result);
        transaction.onerror = () => reject(transaction.error);
        transaction.onabort = () => reject(transaction.error);
      }),
  );
}

function request(store, call) {
  return new Promise((resolve, reject) => {
    const pending = call(store);
    pending.onsuccess = () => resolve(pending.result);
    pending.onerror = () => reject(pending.error);
  });
}

/** The kept files, newest first, without their bytes (for the "recent files" list). */
export async function recentFiles() {
  const all = await run('readonly', (store) => request(store, (s) => s.getAll()));
  return (all ?? [])
    .sort((a, b) => b.savedAt - a.savedAt)
    .map(({ id, name, size, savedAt, edits, sheet }) => ({ id, name, size, savedAt, sheet, editCount: edits?.length ?? 0 }));
}

/** One kept file with its bytes, or null. */
export function loadFile(id) {
  return run('readonly', (store) => request(store, (s) => s.get(id))).then((record) => record ?? null);
}

/**
 * Keeps a file (a new record, or the fields of an existing one updated). The
 * same file opened again (same name and size) replaces its older record;
 * the oldest beyond KEEP are dropped.
 */
export async function saveFile(record) {
  const saved = { ...record, savedAt: Date.now() };
  const older = (await recentFiles()).filter((file) => file.id !== saved.id && file.name === saved.name && file.size === saved.size);
  for (const file of older) await forgetFile(file.id);
  await run('readwrite', async (store) => {
    const previous = await request(store, (s) => s.get(saved.id));
    store.put({ ...(previous ?? {}), ...saved });
  });
  const all = await recentFiles();
  for (const old of all.slice(KEEP)) await forgetFile(old.id);
  return saved.id;
}

/** Updates what was changed on a kept file (edits, horizon, sheet, mapping, targets). */
export async function updateFile(id, fields) {
  if (!id) return;
  await run('readwrite', async (store) => {
    const previous = await request(store, (s) => s.get(id));
    if (previous) store.put({ ...previous, ...fields, savedAt: Date.now() });
  });
}

export function forgetFile(id) {
  return run('readwrite', (store) => {
    store.delete(id);
  });
}

export function forgetAll() {
  return run('readwrite', (store) => {
    store.clear();
  });
}

/** A new id for a file: its name, size and a time stamp. */
export function fileId(name, size) {
  return `${name}\u0000${size}\u0000${Date.now()}`;
}
