/**
 * Serves Sluice Studio (the built UI in `ui/dist`) on the API's own origin.
 *
 * Guarantees:
 * - `/` and every UI route answer the app's index.html (history-API fallback) for GET/HEAD; the API's
 *   paths are never shadowed: anything under `/data/`, `/openapi.json`, `/docs`, `/metrics`, `/healthz`,
 *   `/readyz` that no route answers stays the API's 404 problem JSON, and so does any path with a file
 *   extension that is not a built file (a missing asset is a 404, not the app).
 * - Every UI response carries a strict Content-Security-Policy (`default-src 'self'`, no inline script,
 *   no framing), `X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer`; no cookie is set.
 * - Hashed assets (`/assets/*`) are cached for a year, immutable; index.html is `no-cache`, so a new
 *   build is picked up at the next load.
 * - Only files inside the built folder are read (names are matched against a listing made at start, dot
 *   files left out), so a rebuild is served after a restart (`npm start` rebuilds a stale bundle first).
 */
import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import type { FastifyReply } from 'fastify';
import { AppError } from '../domain/errors.ts';
import { tooLongSegment } from './request-edge.ts';
import type { App } from './types.ts';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const API_PATHS = /^\/(data(\/|$)|openapi\.json$|docs(\/|$)|metrics$|healthz$|readyz$)/;

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

async function listFiles(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  let entries;
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch {
    return files;
  }
  for (const entry of entries) {
    if (!entry.isFile() || entry.name.startsWith('.')) continue;
    const full = join(entry.parentPath, entry.name);
    files.set(`/${relative(dir, full).split(sep).join('/')}`, full);
  }
  return files;
}

const secure = (reply: FastifyReply): FastifyReply =>
  reply
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-opener-policy', 'same-origin');

/** Registers the UI routes; `dir` is the Vite build output (index.html + assets/). */
export async function registerUi(app: App, dir: string): Promise<void> {
  const files = await listFiles(dir);
  const indexPath = files.get('/index.html');
  const index = indexPath === undefined ? undefined : await readFile(indexPath);

  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    let path: string;
    try {
      path = decodeURIComponent(request.url.split('?')[0] ?? '/');
    } catch {
      // A malformed %-escape names no file and no screen: the app's not-found answer (nothing echoed).
      reply.callNotFound();
      return reply;
    }
    // Unknown API paths get the API's own not-found answer, as if this route did not exist.
    if (API_PATHS.test(path)) {
      // An over-long id no longer matches its parametric route and lands here: answer it as the API does.
      const tooLong = tooLongSegment(path);
      if (tooLong) throw tooLong;
      reply.callNotFound();
      return reply;
    }
    const file = files.get(path);
    if (file !== undefined && path !== '/index.html') {
      const body = await readFile(file);
      return secure(reply)
        .type(TYPES[extname(file)] ?? 'application/octet-stream')
        .header(
          'cache-control',
          path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
        )
        .send(body);
    }
    if (extname(path) !== '') {
      reply.callNotFound();
      return reply;
    }
    if (index === undefined) {
      throw new AppError(
        'FLOW-1409-404',
        'Sluice Studio is not built: run `npm run build:ui` (npm install does it), then restart.',
      );
    }
    return secure(reply).type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(index);
  });
}
