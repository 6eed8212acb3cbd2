// How soon the dashboard's overview is usable, measured in Debian's Chromium
// with the browser's own timings (docs/performance.md, "Web dashboard"):
// Navigation Timing for the page, and the performance marks the overview sets
// when its figures and tables are on screen (rmis:overview-figures), when its
// charts are drawn too (rmis:overview-usable) and when the five-year donor
// concentration is drawn (rmis:overview-complete).
//
//   node bench/web/overview-timings.mjs URL USER:PASSWORD [LANG] [LOADS] [HASH]
//
// e.g. node bench/web/overview-timings.mjs http://127.0.0.1:8080/ demo-admin:demo-admin-2021 en 5
// Logs in once, loads a first overview (it may be slower: after a login the
// server may load the ledger again), then LOADS more, each in a new tab, and
// prints every load and the medians, in milliseconds after navigation start.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '../../web/package.json'));
const { chromium } = require('playwright-core');

const [baseUrl, credentials, lang = 'en', loadsText = '5', hash = '/overview?year=2021&as_of=2021-06-30'] = process.argv.slice(2);
if (!baseUrl || !credentials) {
  console.error('usage: overview-timings.mjs URL USER:PASSWORD [LANG] [LOADS] [HASH]');
  process.exit(2);
}
const [user, password] = credentials.split(/:(.*)/s);
const loads = Number(loadsText);

const browser = await chromium.launch({
  executablePath: process.env.RMIS_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', timezoneId: 'UTC' });
context.setDefaultTimeout(120_000);
await context.addInitScript((language) => localStorage.setItem('rmis.lang', language), lang);
const page = await context.newPage();
await page.goto(baseUrl);
await page.locator('input[name=user]').fill(user);
await page.locator('input[name=password]').fill(password);
await page.locator('form.login-form button[type=submit]').click();
await page.locator('nav a[data-nav=overview]').waitFor({ state: 'attached' });
await page.close();

async function measure() {
  const tab = await context.newPage();
  await tab.goto(new URL(`#${hash}`, baseUrl).href);
  await tab.locator('.figures[data-state=ready]').waitFor();
  await tab.waitForFunction(() => performance.getEntriesByName('rmis:overview-complete').length > 0);
  const timing = await tab.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const mark = (name) => Math.round(performance.getEntriesByName(name)[0].startTime);
    const report = performance
      .getEntriesByType('resource')
      .filter((entry) => entry.name.includes('/api/v1/report'))
      .map((entry) => Math.round(entry.responseEnd - entry.startTime));
    return {
      response: Math.round(nav.responseEnd),
      domContentLoaded: Math.round(nav.domContentLoadedEventEnd),
      figures: mark('rmis:overview-figures'),
      usable: mark('rmis:overview-usable'),
      complete: mark('rmis:overview-complete'),
      firstReport: report[0] ?? null,
      // RMIS_DETAIL=1: every request, as [start, end, name]
      requests: performance.getEntriesByType('resource').map((entry) => [Math.round(entry.startTime), Math.round(entry.responseEnd), entry.name.replace(location.origin, '')]),
    };
  });
  await tab.close();
  if (!process.env.RMIS_DETAIL) delete timing.requests;
  return timing;
}

const first = await measure();
console.log(`first load after login: ${JSON.stringify(first)}`);
const runs = [];
for (let i = 0; i < loads; i += 1) {
  runs.push(await measure());
  console.log(`load ${i + 1}: ${JSON.stringify(runs.at(-1))}`);
}
const median = (key) => runs.map((run) => run[key]).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
console.log(
  `median of ${runs.length} (${lang}): DOMContentLoaded ${median('domContentLoaded')}, figures ${median('figures')}, ` +
    `usable ${median('usable')}, with the 5-year concentration ${median('complete')}; the year's report took ${median('firstReport')}`,
);
await browser.close();
