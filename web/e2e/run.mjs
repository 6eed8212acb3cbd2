// End-to-end tests of the dashboard in a real browser: Debian's Chromium,
// driven by playwright-core, against a running `rmis serve` on the sample
// store (tests/e2e/web_e2e.sh starts one). Prints one line per test and a
// closing "N passed, N failed"; exits non-zero when a test fails.
//
// Environment:
//   RMIS_URL            the server, e.g. http://127.0.0.1:8123/ (required)
//   RMIS_ADMIN          user:password of an admin account (required)
//   RMIS_VIEWER         user:password of a viewer account (required)
//   RMIS_SCREENSHOTS    where to save screenshots (default: ./web-screenshots)
//   RMIS_CHROMIUM       the browser (default: /usr/bin/chromium)
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { checkMessages, loadMessages } from '../scripts/check-i18n.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const baseUrl = process.env.RMIS_URL;
const [adminUser, adminPassword] = (process.env.RMIS_ADMIN ?? '').split(/:(.*)/s);
const [viewerUser, viewerPassword] = (process.env.RMIS_VIEWER ?? '').split(/:(.*)/s);
if (!baseUrl || !adminUser || !viewerUser) {
  console.error('e2e: set RMIS_URL, RMIS_ADMIN=user:password and RMIS_VIEWER=user:password');
  process.exit(2);
}
const shots = resolve(process.env.RMIS_SCREENSHOTS ?? 'web-screenshots');
const kTimeout = 30_000; // generous: a 2-core machine running other tests at once
mkdirSync(shots, { recursive: true });

const messages = loadMessages();
const msg = (lang, key) => messages[lang][key];

const browser = await chromium.launch({
  executablePath: process.env.RMIS_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  timeout: 60_000,
});

// --- A small runner ------------------------------------------------------------
const tests = [];
const test = (name, fn) => tests.push({ name, fn });
function assert(condition, message) {
  if (!condition) throw new Error(message);
}
function equal(actual, expected, what) {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

async function newSession(lang = 'en', viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport, locale: 'en-US', timezoneId: 'UTC' });
  context.setDefaultTimeout(kTimeout);
  await context.addInitScript((language) => {
    if (!sessionStorage.getItem('e2e-lang-set')) {
      localStorage.setItem('rmis.lang', language);
      sessionStorage.setItem('e2e-lang-set', '1');
    }
  }, lang);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { context, page, errors };
}

async function login(page, user, password) {
  await page.goto(baseUrl);
  await page.locator('input[name=user]').fill(user);
  await page.locator('input[name=password]').fill(password);
  await page.locator('form.login-form button[type=submit]').click();
  await page.locator('nav a[data-nav=overview]').waitFor({ state: 'attached' }); // in the closed menu at phone width
}

async function open(page, hash) {
  await page.goto(new URL(`#${hash}`, baseUrl).href);
  await page.waitForLoadState('networkidle');
}

async function waitOverview(page) {
  await page.locator('.figures[data-state=ready]').waitFor();
  await page.locator('[data-figure=concentration] table').waitFor();
}

async function apiGet(context, path) {
  const response = await context.request.get(new URL(`api/v1${path}`, baseUrl).href);
  assert(response.ok(), `GET ${path} answered ${response.status()}`);
  return response.json();
}
const apiReport = (context, query) => apiGet(context, `/report?${query}`);

const kPages = [
  ['overview', '/overview?year=2021&as_of=2021-06-30'],
  ['donors', '/donors'],
  ['donor', '/donors/sweden?as_of=2021-06-30'],
  ['ledger', '/entries?fund=foundation_core&kind=receipt&from=2021-01-01&to=2021-06-30'],
  ['record', '/entries/new?kind=receipt&donor=mexico&fund=foundation_core'],
  ['targets', '/targets'],
  ['appeals', '/appeals'],
  ['events', '/events'],
  ['import', '/import'],
  ['users', '/users'],
  ['audit', '/audit'],
];

async function settle(page, name) {
  if (name === 'overview') await waitOverview(page);
  else await page.locator('.view h1').first().waitFor();
  await page.waitForLoadState('networkidle');
  await page.locator('.loading').first().waitFor({ state: 'detached', timeout: kTimeout }).catch(() => {});
}

// --- The tests -------------------------------------------------------------------

test('the message files of the six languages are complete', async () => {
  const problems = checkMessages(messages);
  assert(!problems.length, problems.slice(0, 10).join('\n    '));
});

test('log in (a wrong password is refused, the right one opens the overview)', async () => {
  const { context, page, errors } = await newSession();
  await page.goto(baseUrl);
  await page.locator('input[name=user]').fill(adminUser);
  await page.locator('input[name=password]').fill('not the password');
  await page.locator('form.login-form button[type=submit]').click();
  await page.getByText(msg('en', 'login.wrong')).waitFor();
  await page.locator('input[name=password]').fill(adminPassword);
  await page.locator('form.login-form button[type=submit]').click();
  await page.locator('nav a[data-nav=overview][aria-current=page]').waitFor();
  await page.locator('.figures[data-state=ready]').waitFor();
  assert(errors.length === 0, `page errors: ${errors.join('; ')}`);
  await context.close();
});

test('the overview shows 12 % for core as of 30 June 2021, and the same amounts as the API', async () => {
  const { context, page, errors } = await newSession();
  await login(page, adminUser, adminPassword);
  await open(page, '/overview?year=2021&as_of=2021-06-30');
  await waitOverview(page);
  const report = await apiReport(context, 'year=2021&as_of=2021-06-30');
  const core = page.locator('.card[data-fund=foundation_core]');
  equal((await core.locator('[data-figure=share]').textContent()).trim(), '12%', 'core share');
  const format = (usd) => page.evaluate((value) => new Intl.NumberFormat('en', { style: 'currency', currency: 'USD' }).format(value), usd);
  for (const row of report.income_vs_target) {
    const card = page.locator(`.card[data-fund=${row.fund}]`);
    for (const [figure, key] of [['received', 'received_usd'], ['prior-year', 'prior_year_usd'], ['net', 'net_usd'], ['target', 'target_usd']]) {
      const cell = card.locator(`[data-figure=${figure}]`);
      equal(await cell.getAttribute('data-usd'), row[key], `${row.fund} ${figure} (data)`);
      equal((await cell.textContent()).trim(), await format(row[key]), `${row.fund} ${figure} (shown)`);
    }
  }
  equal((await core.locator('[data-figure=received]').textContent()).trim(), '$1,200,000.00', 'core received');
  // Table 1: the Member States per fund, in the API's order and amounts.
  for (const fund of report.top_contributors) {
    const amounts = await page.locator(`.top-fund[data-fund=${fund.fund}] a[data-usd]`).evaluateAll((links) => links.map((a) => a.getAttribute('data-usd')));
    equal(amounts.join(' '), fund.member_states.map((d) => d.received_usd).join(' '), `top Member States of ${fund.fund}`);
  }
  const firstCore = await page.locator('.top-fund[data-fund=foundation_core] tbody tr').first().textContent();
  assert(firstCore.includes('Mexico') && firstCore.includes('*'), `core's first Member State is Mexico, marked prior-year: ${firstCore}`);
  // Figure 3: regions, as the API gives them.
  const regionCells = await page.locator('[data-figure=regions] tbody td.num').allTextContents();
  equal(regionCells.join(' | '), (await Promise.all(report.regions.map((r) => format(r.received_usd)))).join(' | '), 'regions');
  // Every figure links to the entries behind it.
  const link = core.locator('a.entries-link');
  equal(await link.getAttribute('href'), '#/entries?fund=foundation_core&kind=receipt&from=2021-01-01&to=2021-06-30', 'core link');
  await link.click();
  await page.locator('.entry-list table').waitFor();
  const usd = await page.locator('.entry-list tbody tr td.num:nth-of-type(6)').allTextContents();
  assert(usd.length > 0, 'the entries behind the core figure are listed');
  assert(errors.length === 0, `page errors: ${errors.join('; ')}`);
  await context.close();
});

test('record a receipt that settles a pledge, and see the overview change without a reload', async () => {
  const { context, page, errors } = await newSession();
  await login(page, adminUser, adminPassword);
  await open(page, '/overview?year=2021&as_of=2021-06-30');
  await waitOverview(page);
  const before = await apiReport(context, 'year=2021&as_of=2021-06-30');
  const coreBefore = before.income_vs_target.find((row) => row.fund === 'foundation_core');
  await page.evaluate(() => (window.__sameDocument = true));
  // A pledge first (as a donor would announce it), then its payment.
  await page.locator('nav a[data-nav=record]').click();
  const form = page.locator('form[data-form=entry]');
  await form.waitFor();
  await form.locator('select[name=kind]').selectOption('pledge');
  await form.locator('select[name=donor]').selectOption('south_africa');
  await form.locator('select[name=fund]').selectOption('foundation_core');
  await form.locator('input[name=amount]').fill('150000.00');
  await form.locator('input[name=currency]').fill('USD');
  await form.locator('input[name=value_date]').fill('2021-03-01');
  await form.locator('button[type=submit]').click();
  const pledgeId = await page.locator('[data-recorded]').getAttribute('data-recorded');
  // The receipt: the form offers the open pledge to settle.
  await form.locator('select[name=kind]').selectOption('receipt');
  await form.locator(`select[name=settles] option[value="${pledgeId}"]`).waitFor({ state: 'attached' });
  await form.locator('select[name=settles]').selectOption(pledgeId);
  await form.locator('input[name=amount]').fill('100000.00');
  await form.locator('input[name=value_date]').fill('2021-06-15');
  await form.locator('select[name=region]').selectOption('global');
  await form.locator('button[type=submit]').click();
  const receipt = page.locator(`[data-recorded]:not([data-recorded="${pledgeId}"])`);
  await receipt.waitFor();
  const receiptId = await receipt.getAttribute('data-recorded');
  // A receipt over the pledge's open balance is refused, at the field.
  await form.locator('select[name=settles]').selectOption(pledgeId);
  await form.locator('input[name=amount]').fill('999999.00');
  await form.locator('button[type=submit]').click();
  await page.locator('[aria-invalid=true]').first().waitFor();
  const fieldError = await page.locator('.field-error:not([hidden])').first().textContent();
  assert(/open balance|more than/i.test(fieldError), `the settlement problem is shown at its field: ${fieldError}`);
  // Back to the overview by its link: the same figures, with the receipt in them.
  await page.locator('nav a[data-nav=overview]').click();
  await waitOverview(page);
  const after = await apiReport(context, 'year=2021&as_of=2021-06-30');
  const coreAfter = after.income_vs_target.find((row) => row.fund === 'foundation_core');
  equal(coreAfter.received_usd, (Number(coreBefore.received_usd) + 100000).toFixed(2), 'the API counts the receipt');
  const core = page.locator('.card[data-fund=foundation_core]');
  equal(await core.locator('[data-figure=received]').getAttribute('data-usd'), coreAfter.received_usd, 'the overview counts the receipt');
  equal((await core.locator('[data-figure=share]').textContent()).trim(), '13%', 'core share after the receipt');
  // Another user records while the overview is open: it shows when the window is looked at again.
  const other = await browser.newContext();
  const login2 = await other.request.post(new URL('api/v1/login', baseUrl).href, { data: { user: adminUser, password: adminPassword } });
  const csrf = (await login2.json()).csrf_token;
  const posted = await other.request.post(new URL('api/v1/entries', baseUrl).href, {
    headers: { 'X-CSRF-Token': csrf },
    data: { kind: 'receipt', donor: 'egypt', fund: 'foundation_core', amount: '100000.00', currency: 'USD', value_date: '2021-06-20', region: 'global' },
  });
  equal(posted.status(), 201, 'the other user records');
  await other.close();
  await page.evaluate(() => window.dispatchEvent(new Event('focus')));
  await page.locator('.card[data-fund=foundation_core] [data-figure=share]', { hasText: '14%' }).waitFor();
  // The ledger, newest first, has the receipt on top; the donor's page shows what is left of the pledge.
  await page.locator('nav a[data-nav=entries]').click();
  await page.locator(`.entry-list tbody tr[data-entry="${receiptId}"]`).waitFor();
  const newestId = (await apiGet(context, '/entries?order=desc&limit=1')).entries[0].id;
  equal(await page.locator('.entry-list tbody tr').first().getAttribute('data-entry'), newestId, 'the newest entry is listed first');
  await page.locator(`.entry-list tbody tr[data-entry="${receiptId}"] a[href^="#/donors/"]`).click();
  await page.locator(`[data-figure=open-pledges] tr[data-entry="${pledgeId}"]`).waitFor();
  equal(await page.locator(`[data-figure=open-pledges] tr[data-entry="${pledgeId}"] [data-open]`).getAttribute('data-open'), '50000.00', 'the open balance of the pledge');
  assert(await page.evaluate(() => window.__sameDocument === true), 'the page was not reloaded');
  assert(errors.length === 0, `page errors: ${errors.join('; ')}`);
  await context.close();
});

test('an expectation, a write-off and a reversal from the form; problems shown at their field', async () => {
  const { context, page, errors } = await newSession();
  await login(page, adminUser, adminPassword);
  await open(page, '/entries/new?kind=expected');
  const form = page.locator('form[data-form=entry]');
  await form.waitFor();
  await form.locator('select[name=donor]').selectOption('japan');
  await form.locator('select[name=fund]').selectOption('foundation_core');
  await form.locator('input[name=amount]').fill('1000.00');
  await form.locator('input[name=currency]').fill('USD');
  await form.locator('input[name=value_date]').fill('2021-05-01');
  await form.locator('input[name=probability]').fill('1.5');
  await form.locator('button[type=submit]').click();
  await form.locator('input[name=probability][aria-invalid=true]').waitFor();
  await form.locator('input[name=probability]').fill('0.5');
  await form.locator('button[type=submit]').click();
  const expected = page.locator('[data-recorded]');
  await expected.waitFor();
  const expectedId = await expected.getAttribute('data-recorded');
  // A write-off of more than is open is refused by the server, at the field.
  await form.locator('select[name=kind]').selectOption('write_off');
  await form.locator(`select[name=settles] option[value="${expectedId}"]`).waitFor({ state: 'attached' });
  await form.locator('select[name=settles]').selectOption(expectedId);
  await form.locator('input[name=amount]').fill('1500.00');
  await form.locator('button[type=submit]').click();
  await page.locator('[aria-invalid=true]').first().waitFor();
  const refused = await page.locator('.field-error:not([hidden])').first().textContent();
  assert(/open balance|more than/i.test(refused), `the write-off's problem at its field: ${refused}`);
  await form.locator('input[name=amount]').fill('1000.00');
  await form.locator('button[type=submit]').click();
  const writeOff = page.locator(`[data-recorded]:not([data-recorded="${expectedId}"])`);
  await writeOff.waitFor();
  const writeOffId = await writeOff.getAttribute('data-recorded');
  let japan = await apiGet(context, '/donors/japan/summary?as_of=2021-12-31');
  assert(!japan.expectations.some((item) => item.id === expectedId), 'the written-off expectation is closed');
  // The ledger offers to reverse the write-off; the reversal opens the expectation again.
  await open(page, '/entries?donor=japan');
  await page.locator(`.entry-list tr[data-entry="${writeOffId}"] a[href*="kind=reversal"]`).click();
  await form.waitFor();
  await page.waitForFunction(() => document.querySelector('form[data-form=entry] input[name=amount]')?.value === '1000.00');
  await form.locator('input[name=value_date]').fill('2021-05-03');
  await form.locator('button[type=submit]').click();
  await page.locator('[data-recorded]').waitFor();
  japan = await apiGet(context, '/donors/japan/summary?as_of=2021-12-31');
  const reopened = japan.expectations.find((item) => item.id === expectedId);
  assert(reopened && reopened.open === '1000.00' && reopened.weighted_usd === '500.00', `the expectation is open again: ${JSON.stringify(reopened)}`);
  assert(errors.length === 0, `page errors: ${errors.join('; ')}`);
  await context.close();
});

test('the donor list finds a donor by its name in any of the six languages', async () => {
  const { context, page, errors } = await newSession();
  await login(page, adminUser, adminPassword);
  await open(page, '/donors');
  const search = page.locator('input[name=q]');
  for (const name of ['المكسيك', '墨西哥', 'Mexique', 'Мексика', 'méxico', 'MEXICO']) {
    await search.fill(name);
    await page.waitForFunction(() => document.querySelectorAll('.results tbody tr').length === 1);
    const href = await page.locator('.results tbody tr a').first().getAttribute('href');
    equal(href, '#/donors/mexico', `searching "${name}"`);
  }
  assert(errors.length === 0, `page errors: ${errors.join('; ')}`);
  await context.close();
});

test("the donor page shows the server's figures: giving by year and fund, open pledges, expectations, focal point", async () => {
  const { context, page, errors } = await newSession();
  await login(page, adminUser, adminPassword);
  // A focal point for Sweden, added on the Users page; the audit trail records it.
  await open(page, '/users');
  const add = page.locator('form.add-form');
  await add.locator('input[name=name]').fill('e2e-focal-sweden');
  await add.locator('select[name=role]').selectOption('focal_point');
  await add.locator('input[name=password]').fill('focal-point-password');
  await add.locator('select[name=donors]').selectOption('sweden');
  await add.locator('button[type=submit]').click();
  await page.locator('.form-message .notice.success').waitFor();
  await page.locator('main table', { hasText: 'e2e-focal-sweden' }).waitFor();
  await open(page, '/audit');
  await page.locator('[data-audit=ok]').waitFor();
  const newest = await page.locator('main table tbody tr').first().textContent();
  assert(newest.includes('user.add') && newest.includes('e2e-focal-sweden'), `the newest audit record is the new account: ${newest}`);

  const summary = await apiGet(context, '/donors/sweden/summary?as_of=2021-06-30');
  await open(page, '/donors/sweden?as_of=2021-06-30');
  await page.locator('.donor-figures[data-state=ready]').waitFor();
  equal((await page.locator('[data-focal-points]').textContent()).trim(), 'e2e-focal-sweden', 'the focal point');
  // Giving: every year and fund, the server's amounts; each links to its receipts.
  for (const y of summary.giving) {
    for (const f of y.funds) {
      const link = page.locator(`[data-figure=giving] a[data-usd="${f.received_usd}"][href*="fund=${f.fund}"][href*="from=${y.year}-01-01"]`);
      equal(await link.count(), 1, `giving ${y.year} ${f.fund}`);
      const href = await link.getAttribute('href');
      assert(href.includes('donor=sweden') && href.includes('kind=receipt'), `the link behind ${y.year} ${f.fund}: ${href}`);
    }
  }
  // Open pledges: the same entries and balances as the server.
  const rows = await page.locator('[data-figure=open-pledges] tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.dataset.entry, tr.querySelector('[data-open]').dataset.open, tr.querySelector('[data-usd]').dataset.usd]));
  equal(JSON.stringify(rows), JSON.stringify(summary.open_pledges.map((p) => [p.id, p.open, p.open_usd])), 'open pledges');
  assert(rows.length > 0, 'Sweden has open pledges on 30 June 2021');
  // As known before the 2021 pledges were recorded: the page follows the address.
  await page.locator('input[name=known_at]').fill('2020-12-31');
  await page.locator('input[name=known_at]').dispatchEvent('change');
  await page.waitForFunction(() => location.hash.includes('known_at=2020-12-31'));
  await page.locator('.donor-figures[data-state=ready]').waitFor();
  const known = await apiGet(context, '/donors/sweden/summary?as_of=2021-06-30&known_at=2020-12-31');
  await page.waitForFunction(
    (count) => document.querySelectorAll('[data-figure=open-pledges] tbody tr').length === count,
    known.open_pledges.length,
  );
  const links = await page.locator('[data-figure=open-pledges] a.entries-link').evaluateAll((all) => all.map((a) => a.getAttribute('href')));
  assert(links.length && links.every((href) => href.includes('known_at=2020-12-31')), `links keep the known-at date: ${links.join(' ')}`);
  await page.screenshot({ path: join(shots, 'en-donor-known-at.png'), fullPage: true });
  assert(errors.length === 0, `page errors: ${errors.join('; ')}`);
  await context.close();
});

test('the ledger lists the newest entries first, page after page, and as known at a date', async () => {
  const { context, page, errors } = await newSession();
  await login(page, adminUser, adminPassword);
  const newest = await apiGet(context, '/entries?order=desc&limit=100');
  await open(page, '/entries');
  await page.locator('.entry-list tbody tr').first().waitFor();
  const ids = () => page.locator('.entry-list tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.entry));
  equal((await ids()).join(' '), newest.entries.map((e) => e.id).join(' '), 'the first page, newest first');
  await page.locator('[data-more]').click();
  await page.waitForFunction(() => document.querySelectorAll('.entry-list tbody tr').length > 100);
  const second = await apiGet(context, `/entries?order=desc&limit=100&cursor=${newest.next_cursor}`);
  const shown = await ids();
  equal(shown.slice(100).join(' '), second.entries.map((e) => e.id).join(' '), 'the second page follows the first');
  equal(new Set(shown).size, shown.length, 'no entry twice');
  // Known at the end of 2019, oldest first: the filters of the form.
  const filters = page.locator('form.filters');
  await filters.locator('input[name=known_at]').fill('2019-12-31');
  await filters.locator('select[name=order]').selectOption('asc');
  await filters.locator('button[type=submit]').click();
  await page.waitForFunction(() => location.hash.includes('known_at=2019-12-31') && location.hash.includes('order=asc'));
  const known = await apiGet(context, '/entries?order=asc&limit=100&known_at=2019-12-31');
  await page.waitForFunction((first) => document.querySelector('.entry-list tbody tr')?.dataset.entry === first, known.entries[0].id);
  equal((await ids()).join(' '), known.entries.map((e) => e.id).join(' '), 'known at 31 December 2019, oldest first');
  assert(known.entries.every((e) => e.recorded_at <= '2019-12-31T23:59:59Z'), 'the API kept only what was recorded by then');
  assert(errors.length === 0, `page errors: ${errors.join('; ')}`);
  await context.close();
});

test('every figure of the overview links to the entries behind it, for the same snapshot', async () => {
  const { context, page, errors } = await newSession();
  await login(page, adminUser, adminPassword);
  await open(page, '/overview?year=2021&as_of=2021-06-30&known_at=2021-05-31');
  await waitOverview(page);
  const sections = await page.locator('.figures section[data-figure]').evaluateAll((all) =>
    all.map((section) => ({
      figure: section.dataset.figure,
      tables: section.querySelectorAll('table').length,
      links: Array.from(section.querySelectorAll('a[href^="#/entries"]'), (a) => a.getAttribute('href')),
    })),
  );
  assert(sections.length >= 8, `the overview's figures: ${sections.map((s) => s.figure).join(' ')}`);
  for (const section of sections) {
    if (!section.tables) continue; // a figure with nothing in it this year
    assert(section.links.length > 0, `${section.figure} has no link to its entries`);
    for (const link of section.links) {
      assert(link.includes('known_at=2021-05-31'), `${section.figure}: a link without the known-at date: ${link}`);
      assert(/[?&]to=\d{4}-\d{2}-\d{2}/.test(link), `${section.figure}: a link without an end date: ${link}`);
    }
  }
  // Table 2's cells open to their donors, each linked to its receipts.
  const cell = page.locator('[data-figure=types] details.type-cell').first();
  await cell.locator('summary').click();
  await cell.locator('a.entries-link').first().click();
  await page.locator('.entry-list tbody tr').first().waitFor();
  const hash = await page.evaluate(() => location.hash);
  assert(hash.includes('donor=') && hash.includes('kind=receipt') && hash.includes('known_at=2021-05-31'), `a donor-type cell's link: ${hash}`);
  // The donor of a top-contributor row opens on the same snapshot.
  await open(page, '/overview?year=2021&as_of=2021-06-30&known_at=2021-05-31');
  await waitOverview(page);
  const donorLink = await page.locator('.top-fund a[href^="#/donors/"]').first().getAttribute('href');
  assert(donorLink.includes('as_of=2021-06-30') && donorLink.includes('known_at=2021-05-31'), `the donor link: ${donorLink}`);
  assert(errors.length === 0, `page errors: ${errors.join('; ')}`);
  await context.close();
});

test('a bad import shows every error with its file, line and field, and stores nothing', async () => {
  const { context, page, errors } = await newSession();
  await login(page, adminUser, adminPassword);
  const before = await apiReport(context, 'year=2021&as_of=2021-12-31');
  await open(page, '/import');
  const csv = [
    'id,kind,donor,fund,amount,currency,value_date',
    'BAD-1,receipt,mexico,foundation_core,10.001,USD,2021-01-05',
    'BAD-2,gift,mexico,foundation_core,10,USD,2021-02-30',
    'BAD-3,receipt,nobody,foundation_core,10,USD,2021-03-01',
  ].join('\n');
  await page.locator('input[type=file]').setInputFiles({ name: 'entries.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.locator('form.import-form button[type=submit]').click();
  const rejected = page.locator('[data-import=rejected]');
  await rejected.waitFor();
  const rows = await page.locator('table.problems tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (cell) => cell.textContent.trim())));
  assert(rows.length >= 3, `at least three problems listed, got ${rows.length}`);
  const has = (line, field) => rows.some((row) => row[0] === 'entries.csv' && row[1] === String(line) && row[2] === field);
  assert(has(2, msg('en', 'field.amount')), `line 2 amount: ${JSON.stringify(rows)}`);
  assert(has(3, msg('en', 'field.kind')), `line 3 kind: ${JSON.stringify(rows)}`);
  assert(has(3, msg('en', 'field.value_date')), `line 3 value_date: ${JSON.stringify(rows)}`);
  const after = await apiReport(context, 'year=2021&as_of=2021-12-31');
  equal(JSON.stringify(after.income_vs_target), JSON.stringify(before.income_vs_target), 'nothing stored');
  await page.screenshot({ path: join(shots, 'en-import-rejected.png'), fullPage: true });
  assert(errors.length === 0, `page errors: ${errors.join('; ')}`);
  await context.close();
});

test('a viewer finds no way to write', async () => {
  const { context, page, errors } = await newSession();
  await login(page, viewerUser, viewerPassword);
  const nav = await page.locator('nav a[data-nav]').evaluateAll((links) => links.map((a) => a.dataset.nav));
  for (const hidden of ['record', 'import', 'users', 'audit']) assert(!nav.includes(hidden), `the viewer's menu offers ${hidden}`);
  for (const [name, hash] of kPages) {
    await open(page, hash);
    await settle(page, name);
    const writes = await page.locator('[data-write]').count();
    equal(writes, 0, `write controls on ${name}`);
    if (['record', 'import', 'users', 'audit'].includes(name)) await page.locator('[data-forbidden]').waitFor();
    const forms = await page.locator('main form').evaluateAll((all) => all.map((f) => f.className));
    for (const cls of forms) assert(['controls', 'controls filters'].includes(cls), `a form on ${name} for a viewer: ${cls}`);
  }
  // And the server refuses all the same.
  const session = await (await context.request.get(new URL('api/v1/session', baseUrl).href)).json();
  const refused = await context.request.post(new URL('api/v1/entries', baseUrl).href, {
    headers: { 'X-CSRF-Token': session.csrf_token },
    data: { kind: 'receipt', donor: 'mexico', fund: 'foundation_core', amount: '1.00', currency: 'USD', value_date: '2021-06-01' },
  });
  equal(refused.status(), 403, 'the API refuses the viewer');
  assert(errors.length === 0, `page errors: ${errors.join('; ')}`);
  await context.close();
});

test('Arabic is laid out right to left; Chinese and Arabic show donor names in their language', async () => {
  const { context, page, errors } = await newSession();
  await login(page, adminUser, adminPassword);
  await open(page, '/overview?year=2021&as_of=2021-06-30');
  await waitOverview(page);
  await page.locator('#lang-select').selectOption('ar');
  await page.locator('html[dir=rtl][lang=ar]').waitFor();
  await waitOverview(page);
  equal(await page.locator('nav a[data-nav=overview]').textContent(), msg('ar', 'nav.overview'), 'Arabic menu');
  equal(await page.evaluate(() => getComputedStyle(document.body).direction), 'rtl', 'computed direction');
  const coreTop = await page.locator('.top-fund[data-fund=foundation_core] tbody tr').first().textContent();
  assert(coreTop.includes('المكسيك'), `Mexico in Arabic: ${coreTop}`);
  await page.locator('#lang-select').selectOption('zh');
  await page.locator('html[dir=ltr][lang=zh-CN]').waitFor();
  await waitOverview(page);
  const zhTop = await page.locator('.top-fund[data-fund=foundation_core] tbody tr').first().textContent();
  assert(zhTop.includes('墨西哥'), `Mexico in Chinese: ${zhTop}`);
  // The choice is kept.
  await page.reload();
  await page.locator('html[lang=zh-CN]').waitFor();
  assert(errors.length === 0, `page errors: ${errors.join('; ')}`);
  await context.close();
});

test('keyboard: skip link, visible focus, menu by keyboard', async () => {
  const { context, page } = await newSession();
  await login(page, adminUser, adminPassword);
  await open(page, '/overview?year=2021&as_of=2021-06-30');
  await waitOverview(page);
  await page.reload(); // focus starts at the top of the document
  await waitOverview(page);
  await page.keyboard.press('Tab');
  equal(await page.evaluate(() => document.activeElement?.className), 'skip-link', 'first Tab stop');
  await page.keyboard.press('Enter');
  equal(await page.evaluate(() => document.activeElement?.id), 'main', 'skip link moves to the content');
  await page.locator('nav a[data-nav=donors]').focus();
  const outline = await page.evaluate(() => {
    const style = getComputedStyle(document.activeElement);
    return `${style.outlineStyle} ${style.outlineWidth}`;
  });
  assert(!outline.startsWith('none') && !outline.endsWith(' 0px'), `focus is visible: ${outline}`);
  await page.keyboard.press('Enter');
  await page.locator('nav a[data-nav=donors][aria-current=page]').waitFor();
  // Once the page is drawn, focus moves to its heading, so that a screen reader reads it.
  await page.waitForFunction(() => document.activeElement?.tagName === 'H1');
  equal(await page.evaluate(() => document.activeElement.textContent), msg('en', 'donors.title'), 'the focused heading');
  await context.close();
});

test('an expired session and an unreachable server are told plainly', async () => {
  const { context, page } = await newSession();
  await login(page, adminUser, adminPassword);
  await open(page, '/donors');
  await page.route('**/api/v1/**', (route) => route.abort('connectionrefused'));
  await open(page, '/entries?donor=mexico');
  await page.locator('[data-banner=unreachable]').waitFor();
  await page.screenshot({ path: join(shots, 'en-unreachable.png') });
  await page.unroute('**/api/v1/**');
  await page.locator('[data-banner=unreachable] button').click();
  await page.locator('[data-banner=unreachable]').waitFor({ state: 'detached' });
  await context.clearCookies();
  await open(page, '/entries?donor=china');
  await page.locator('[data-expired]').waitFor();
  await page.screenshot({ path: join(shots, 'en-session-expired.png') });
  await page.locator('input[name=user]').fill(adminUser);
  await page.locator('input[name=password]').fill(adminPassword);
  await page.locator('form.login-form button[type=submit]').click();
  await page.locator('nav a[data-nav=entries][aria-current=page]').waitFor();
  await context.close();
});

test('accessibility: no serious WCAG 2 A/AA violation (axe-core), in English and Arabic', async () => {
  const axe = readFileSync(join(here, '../node_modules/axe-core/axe.min.js'), 'utf8');
  const problems = [];
  for (const lang of ['en', 'ar']) {
    const { context, page } = await newSession(lang);
    await login(page, adminUser, adminPassword);
    for (const [name, hash] of kPages) {
      await open(page, hash);
      await settle(page, name);
      await page.addScriptTag({ content: axe });
      const violations = await page.evaluate(async () => {
        const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
        return result.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id} (${v.nodes.length}): ${v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join(', ')}`);
      });
      for (const violation of violations) problems.push(`${lang} ${name}: ${violation}`);
    }
    await context.close();
  }
  assert(!problems.length, problems.join('\n    '));
});

test('screenshots of every page in English, Chinese and Arabic, and at phone width', async () => {
  for (const lang of ['en', 'zh', 'ar', 'fr', 'ru', 'es']) {
    const all = ['en', 'zh', 'ar'].includes(lang);
    const { context, page, errors } = await newSession(lang);
    await login(page, adminUser, adminPassword);
    for (const [name, hash] of all ? kPages : kPages.slice(0, 1)) {
      await open(page, hash);
      await settle(page, name);
      // No page shows a failure (the audit trail once did: an Intl option clash).
      const failures = await page.locator('main .notice.error').allTextContents();
      equal(failures.join(' | '), '', `failures shown on ${lang} ${name}`);
      await page.screenshot({ path: join(shots, `${lang}-${name}.png`), fullPage: true });
    }
    assert(errors.length === 0, `page errors in ${lang}: ${errors.join('; ')}`);
    await context.close();
  }
  for (const lang of ['en', 'ar']) {
    const { context, page } = await newSession(lang, { width: 390, height: 844 });
    await login(page, adminUser, adminPassword);
    for (const [name, hash] of [kPages[0], kPages[2], kPages[3], kPages[4]]) {
      await open(page, hash);
      await settle(page, name);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert(overflow <= 1, `${lang} ${name} is wider than a phone by ${overflow}px`);
      await page.screenshot({ path: join(shots, `${lang}-phone-${name}.png`), fullPage: true });
    }
    await page.locator('.menu-button').click();
    await page.locator('#nav-list.open a[data-nav=donors]').waitFor();
    await page.screenshot({ path: join(shots, `${lang}-phone-menu.png`) });
    await context.close();
  }
  console.log(`    screenshots: ${shots}`);
});

test('performance: how soon the overview is usable (Navigation Timing and marks after its figures and charts)', async () => {
  // Printed for docs/performance.md, never asserted (a shared 2-core machine is no clock).
  {
    const { context, page } = await newSession();
    await login(page, adminUser, adminPassword);
    const runs = [];
    for (let i = 0; i < 5; i += 1) {
      const fresh = await context.newPage();
      await fresh.goto(new URL('#/overview?year=2021&as_of=2021-06-30', baseUrl).href);
      await fresh.locator('.figures[data-state=ready]').waitFor();
      await fresh.waitForFunction(() => performance.getEntriesByName('rmis:overview-complete').length > 0);
      runs.push(
        await fresh.evaluate(() => {
          const nav = performance.getEntriesByType('navigation')[0];
          const mark = (name) => Math.round(performance.getEntriesByName(name)[0].startTime);
          return {
            response: Math.round(nav.responseEnd),
            domContentLoaded: Math.round(nav.domContentLoadedEventEnd),
            figures: mark('rmis:overview-figures'),
            usable: mark('rmis:overview-usable'),
            complete: mark('rmis:overview-complete'),
          };
        }),
      );
      await fresh.close();
    }
    const median = (key) => runs.map((run) => run[key]).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
    console.log(
      `    overview (median of ${runs.length} loads, ms after navigation start): response ${median('response')}, ` +
        `DOMContentLoaded ${median('domContentLoaded')}, figures ${median('figures')}, usable (charts drawn) ${median('usable')}, ` +
        `with the 5-year concentration ${median('complete')}`,
    );
    await context.close();
  }
});

test('a donor with hundreds of open pledges: the first 50 come with the page, the rest 500 at a time from the server', async () => {
  const { context, page, errors } = await newSession();
  await login(page, adminUser, adminPassword);
  // 600 more open pledges for Mexico, in one import (last of the tests: they change its figures).
  let csv = 'id,kind,donor,fund,amount,currency,value_date\n';
  for (let i = 1; i <= 600; i += 1) csv += `PAGED-${String(i).padStart(4, '0')},pledge,mexico,foundation_core,${i}.00,USD,2019-03-01\n`;
  const session = await (await context.request.get(new URL('api/v1/session', baseUrl).href)).json();
  const imported = await context.request.post(new URL('api/v1/imports', baseUrl).href, {
    headers: { 'X-CSRF-Token': session.csrf_token },
    multipart: { 'entries.csv': { name: 'entries.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) } },
  });
  equal(imported.status(), 201, `the import: ${await imported.text()}`);
  const whole = await apiGet(context, '/donors/mexico/summary?as_of=2021-06-30');
  assert(whole.open_pledges_count >= 600 && whole.open_pledges.length === whole.open_pledges_count, `every open pledge when no page is asked: ${whole.open_pledges_count}`);
  // What the page asks the server for: a page of each list, not the whole.
  const asked = [];
  page.on('request', (request) => {
    if (request.url().includes('/api/v1/donors/mexico/summary')) asked.push(new URL(request.url()).searchParams);
  });
  await open(page, '/donors/mexico?as_of=2021-06-30');
  await page.locator('.donor-figures[data-state=ready]').waitFor();
  assert(asked.length >= 1 && asked[0].get('open_limit') === '50' && !asked[0].has('open_offset'), `the first request: ${asked.map(String).join(' | ')}`);
  const rows = '[data-figure=open-pledges] tbody tr';
  const shown = () => page.locator(rows).evaluateAll((trs) => trs.map((tr) => tr.dataset.entry));
  equal((await shown()).length, 50, 'the first rows');
  equal((await page.locator('[data-figure=open-pledges] [data-more]').textContent()).trim(), 'Show 500 more', 'the button');
  await page.locator('[data-figure=open-pledges] [data-more]').click();
  await page.waitForFunction((selector) => document.querySelectorAll(selector).length === 550, rows);
  assert(asked.some((q) => q.get('open_offset') === '50' && q.get('open_limit') === '500'), `the second page asked from row 50: ${asked.map(String).join(' | ')}`);
  const rest = whole.open_pledges_count - 550;
  equal((await page.locator('[data-figure=open-pledges] [data-more]').textContent()).trim(), `Show ${rest} more`, 'the button, for the rest');
  await page.locator('[data-figure=open-pledges] [data-more]').click();
  await page.waitForFunction(([selector, count]) => document.querySelectorAll(selector).length === count, [rows, whole.open_pledges_count]);
  equal((await shown()).join(' '), whole.open_pledges.map((p) => p.id).join(' '), 'the pages together are the whole list, in order');
  equal(await page.locator('[data-figure=open-pledges] [data-more]').count(), 0, 'no button once all are shown');
  // The ledger changes between two pages: the page is drawn again from the top, with the new total.
  await open(page, '/donors/mexico?as_of=2021-06-29');
  await page.waitForFunction((selector) => document.querySelectorAll(selector).length === 50, rows);
  const totalBefore = await page.locator('[data-figure=open-total]').textContent();
  const posted = await context.request.post(new URL('api/v1/entries', baseUrl).href, {
    headers: { 'X-CSRF-Token': session.csrf_token },
    data: { kind: 'pledge', donor: 'mexico', fund: 'foundation_core', amount: '7.00', currency: 'USD', value_date: '2019-03-02', id: 'PAGED-LATE' },
  });
  equal(posted.status(), 201, 'a pledge recorded meanwhile');
  const firstAgain = page.waitForResponse((r) => r.url().includes('/donors/mexico/summary') && r.url().includes('open_limit=50') && !r.url().includes('open_offset'), { timeout: 10000 }); // before the 30 s refresh
  await page.locator('[data-figure=open-pledges] [data-more]').click();
  await firstAgain;
  await page.waitForFunction((before) => document.querySelector('[data-figure=open-total]')?.textContent !== before, totalBefore);
  equal((await shown()).length, 50, 'drawn again from the first rows');
  const again = await shown();
  equal(new Set(again).size, again.length, 'no row twice');
  assert(errors.length === 0, `page errors: ${errors.join('; ')}`);
  await context.close();
});

// --- Run ----------------------------------------------------------------------------
let passed = 0;
let failed = 0;
const only = process.env.RMIS_E2E_ONLY;
for (const { name, fn } of tests) {
  if (only && !name.includes(only)) continue;
  const started = Date.now();
  try {
    await fn();
    passed += 1;
    console.log(`ok   ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (error) {
    failed += 1;
    console.log(`FAIL ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)\n    ${String(error?.message ?? error).split('\n').join('\n    ')}`);
  }
}
await browser.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
