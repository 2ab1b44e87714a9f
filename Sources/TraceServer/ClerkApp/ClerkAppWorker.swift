/// The clerk's app service worker: keeps the app's own files so the app opens and works with no
/// network (events then wait in the outbox). Only `/app` files are cached; the API is never
/// answered from a cache, so a write can never seem to succeed offline.
enum ClerkAppWorker {
    static let source = #"""
        "use strict";
        const SHELL = "trace-clerk-v1";
        const FILES = ["/app", "/app/app.js", "/app/messages.json", "/app/manifest.webmanifest"];
        self.addEventListener("install", (event) => {
          event.waitUntil(caches.open(SHELL).then((c) => c.addAll(FILES)).then(() => self.skipWaiting()));
        });
        self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
        self.addEventListener("fetch", (event) => {
          const url = new URL(event.request.url);
          if (event.request.method !== "GET" || url.origin !== location.origin || !url.pathname.startsWith("/app")) return;
          // Network first (a new release reaches clerks at once), the cached copy when offline.
          event.respondWith(
            fetch(event.request)
              .then((answer) => {
                if (answer.ok) {
                  const copy = answer.clone();
                  caches.open(SHELL).then((c) => c.put(event.request, copy));
                }
                return answer;
              })
              .catch(() => caches.match(event.request, { ignoreSearch: false }).then((hit) => hit || caches.match("/app")))
          );
        });

        """#
}
