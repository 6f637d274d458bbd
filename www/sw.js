// kpilot's service worker: keeps the page, the engine and the sample so the
// page loads and works with no network after the first visit. Every request
// is for this origin (the page's policy allows no other); each is answered
// from the network when there is one (so a new build shows at once) and from
// the cache when there is not.

const CACHE = 'kpilot-v1';

/** Everything the page needs to start and to analyse the sample, relative to this file. */
const FILES = [
  './',
  'index.html',
  'style.css',
  'main.js',
  'engine.js',
  'worker.js',
  'dom.js',
  'format.js',
  'grid.js',
  'charts.js',
  'detail.js',
  'leadlag.js',
  'suggestions.js',
  'check.js',
  'store.js',
  'overview.js',
  'intake.js',
  'progress.js',
  'favicon.svg',
  'icon-192.png',
  'icon-512.png',
  'manifest.webmanifest',
  'vendor/uPlot.esm.js',
  'vendor/uPlot.min.css',
  'pkg/kpilot.js',
  'pkg/kpilot_bg.wasm',
  'sample.xlsx',
];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(FILES))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok && response.type === 'basic') {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      })
      .catch(() => caches.match(request, { ignoreSearch: true }).then((cached) => cached ?? Response.error())),
  );
});
