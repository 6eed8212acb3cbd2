// The dashboard: the page frame (navigation, language, account), the router
// over the location's hash (#/overview?year=2021), and the two conditions
// every page shares: the server cannot be reached, the session has expired.
import { ApiError, get, on, post, setCsrfToken, type User } from './api';
import { disposeDetached, loadCharts } from './chart-loader';
import { clear, h } from './dom';
import { initialLang, kLangs, lang, langName, setLang, t, type Lang } from './i18n';
import { loginPage } from './pages/login';
import { can, currentUser, roleLabel, setUser, type Ability } from './state';
import './styles.css';
import { errorBox } from './ui';

export interface PageContext {
  params: string[];
  query: URLSearchParams;
  // Aborted when the user leaves the page: stop timers, ignore late answers.
  signal: AbortSignal;
}
type Page = (view: HTMLElement, context: PageContext) => void | Promise<void>;

interface Route {
  pattern: RegExp;
  load: () => Promise<Page>;
  title: string; // message key
  nav?: string; // the navigation item it belongs to
  needs?: Ability;
}

const routes: Route[] = [
  { pattern: /^\/overview$/, load: async () => (await import('./pages/overview')).overviewPage, title: 'nav.overview', nav: 'overview' },
  { pattern: /^\/donors$/, load: async () => (await import('./pages/donors')).donorsPage, title: 'nav.donors', nav: 'donors' },
  { pattern: /^\/donors\/([^/]+)$/, load: async () => (await import('./pages/donor')).donorPage, title: 'donor.title', nav: 'donors' },
  { pattern: /^\/entries$/, load: async () => (await import('./pages/entries')).entriesPage, title: 'nav.entries', nav: 'entries' },
  { pattern: /^\/entries\/new$/, load: async () => (await import('./pages/entry-form')).entryFormPage, title: 'entryForm.title', nav: 'record', needs: 'record' },
  { pattern: /^\/targets$/, load: async () => (await import('./pages/plans')).targetsPage, title: 'nav.targets', nav: 'targets' },
  { pattern: /^\/appeals$/, load: async () => (await import('./pages/plans')).appealsPage, title: 'nav.appeals', nav: 'appeals' },
  { pattern: /^\/events$/, load: async () => (await import('./pages/plans')).eventsPage, title: 'nav.events', nav: 'events' },
  { pattern: /^\/import$/, load: async () => (await import('./pages/import')).importPage, title: 'nav.import', nav: 'import', needs: 'import' },
  { pattern: /^\/users$/, load: async () => (await import('./pages/users')).usersPage, title: 'nav.users', nav: 'users', needs: 'admin' },
  { pattern: /^\/audit$/, load: async () => (await import('./pages/audit')).auditPage, title: 'nav.audit', nav: 'audit', needs: 'admin' },
];

const kNav: { id: string; path: string; needs?: Ability }[] = [
  { id: 'overview', path: '/overview' },
  { id: 'donors', path: '/donors' },
  { id: 'entries', path: '/entries' },
  { id: 'record', path: '/entries/new', needs: 'record' },
  { id: 'targets', path: '/targets' },
  { id: 'appeals', path: '/appeals' },
  { id: 'events', path: '/events' },
  { id: 'import', path: '/import', needs: 'import' },
  { id: 'users', path: '/users', needs: 'admin' },
  { id: 'audit', path: '/audit', needs: 'admin' },
];

const app = document.getElementById('app')!;
let main: HTMLElement;
let banner: HTMLElement;
let navList: HTMLElement;
let current: AbortController | null = null;
let sessionExpired = false;
let serverUnreachable = false;

function parseHash(): { path: string; query: URLSearchParams } {
  const raw = location.hash.replace(/^#/, '') || '/overview';
  const [path, search = ''] = raw.split('?');
  return { path: path || '/overview', query: new URLSearchParams(search) };
}

function renderFrame(): void {
  document.title = t('app.title');
  const menuButton = h(
    'button',
    { type: 'button', class: 'menu-button', 'aria-expanded': 'false', 'aria-controls': 'nav-list' },
    t('nav.menu'),
  );
  navList = h('ul', { id: 'nav-list' });
  menuButton.addEventListener('click', () => {
    const open = menuButton.getAttribute('aria-expanded') !== 'true';
    menuButton.setAttribute('aria-expanded', String(open));
    navList.classList.toggle('open', open);
  });
  navList.addEventListener('click', (event) => {
    if ((event.target as HTMLElement).closest('a')) {
      menuButton.setAttribute('aria-expanded', 'false');
      navList.classList.remove('open');
    }
  });
  const language = h(
    'select',
    { id: 'lang-select', name: 'lang', onchange: (event: Event) => void changeLang((event.target as HTMLSelectElement).value as Lang) },
    kLangs.map((code) => h('option', { value: code, lang: code, selected: code === lang() }, langName(code))),
  );
  const user = currentUser();
  const account = user
    ? h(
        'div',
        { class: 'account' },
        h('span', { class: 'who' }, roleLabel()),
        h('button', { type: 'button', class: 'link-button', onclick: logout }, t('header.logout')),
      )
    : null;
  main = h('main', { id: 'main', tabindex: '-1' });
  banner = h('div', { id: 'banner', class: 'banner-area' });
  const skip = h(
    'button',
    { type: 'button', class: 'skip-link', onclick: () => main.focus() },
    t('nav.skip'),
  );
  clear(
    app,
    skip,
    h(
      'header',
      { class: 'top' },
      h('div', { class: 'brand' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, 'rmis'), h('span', { class: 'app-name' }, t('app.name'))),
      user ? menuButton : null,
      user ? h('nav', { 'aria-label': t('nav.label') }, navList) : null,
      h('div', { class: 'tools' }, h('label', { for: 'lang-select', class: 'lang-label' }, t('header.language')), language, account),
    ),
    banner,
    main,
  );
  fillNav();
  showBanner();
}

function fillNav(): void {
  if (!navList) return;
  const active = activeRoute()?.nav;
  navList.replaceChildren(
    ...kNav
      .filter((item) => !item.needs || can(item.needs))
      .map((item) =>
        h(
          'li',
          null,
          h('a', { href: `#${item.path}`, 'aria-current': item.id === active ? 'page' : null, 'data-nav': item.id }, t(`nav.${item.id}`)),
        ),
      ),
  );
}

function activeRoute(): Route | undefined {
  const { path } = parseHash();
  return routes.find((route) => route.pattern.test(path));
}

function showBanner(): void {
  if (!banner) return;
  banner.replaceChildren();
  if (serverUnreachable) {
    banner.append(
      h(
        'div',
        { class: 'notice error banner', role: 'alert', 'data-banner': 'unreachable' },
        h('p', null, t('banner.unreachable')),
        h('button', { type: 'button', onclick: () => retry() }, t('banner.retry')),
      ),
    );
  }
}

async function retry(): Promise<void> {
  serverUnreachable = false;
  showBanner();
  await start();
}

async function route(focus: boolean): Promise<void> {
  current?.abort();
  current = new AbortController();
  const context = current;
  disposeDetached();
  if (!currentUser()) return showLogin();
  const { path, query } = parseHash();
  const found = routes.find((candidate) => candidate.pattern.test(path));
  fillNav();
  const view = h('div', { class: 'view' });
  clear(main, view);
  if (!found) {
    document.title = `${t('notFound.title')} — ${t('app.title')}`;
    clear(view, h('h1', { tabindex: '-1' }, t('notFound.title')), h('p', null, h('a', { href: '#/overview' }, t('notFound.back'))));
    return;
  }
  document.title = `${t(found.title)} — ${t('app.title')}`;
  if (found.needs && !can(found.needs)) {
    clear(
      view,
      h('h1', { tabindex: '-1' }, t(found.title)),
      h('div', { class: 'notice', role: 'alert', 'data-forbidden': '' }, h('p', null, t('forbidden.page'))),
    );
    return;
  }
  view.append(h('p', { class: 'loading', role: 'status' }, t('common.loading')));
  try {
    const page = await found.load();
    if (context.signal.aborted) return;
    view.replaceChildren();
    await page(view, { params: path.match(found.pattern)!.slice(1).map(decodeURIComponent), query, signal: context.signal });
  } catch (error) {
    if (context.signal.aborted) return;
    view.append(errorBox(error));
  }
  if (focus && !context.signal.aborted) (view.querySelector('h1') as HTMLElement | null)?.focus();
}

function showLogin(): void {
  document.title = `${t('login.title')} — ${t('app.title')}`;
  const view = h('div', { class: 'view' });
  clear(main, view);
  loginPage(view, {
    expired: sessionExpired,
    onLoggedIn: (user: User) => {
      sessionExpired = false;
      signIn(user);
      renderFrame();
      void route(true);
    },
  });
}

function signIn(user: User): void {
  setCsrfToken(user.csrf_token ?? '');
  setUser(user);
}

async function logout(): Promise<void> {
  try {
    await post('/logout', {});
  } catch {
    // Logged out on this side all the same.
  }
  setUser(null);
  setCsrfToken('');
  renderFrame();
  showLogin();
}

async function changeLang(language: Lang): Promise<void> {
  await setLang(language);
  renderFrame();
  void route(false);
  (document.getElementById('lang-select') as HTMLElement | null)?.focus();
}

async function start(): Promise<void> {
  try {
    const user = await get<User>('/session');
    signIn(user);
  } catch (error) {
    if (!(error instanceof ApiError)) {
      renderFrame();
      clear(main, h('div', { class: 'view' }));
      return; // the banner says the server cannot be reached
    }
    setUser(null);
  }
  renderFrame();
  await route(false);
}

on('unreachable', () => {
  if (serverUnreachable) return;
  serverUnreachable = true;
  showBanner();
});
on('reachable', () => {
  if (!serverUnreachable) return;
  serverUnreachable = false;
  showBanner();
});
on('session-expired', () => {
  if (!currentUser()) return;
  sessionExpired = true;
  setUser(null);
  setCsrfToken('');
  renderFrame();
  showLogin();
});

window.addEventListener('hashchange', () => {
  if (currentUser()) void route(true);
});

void setLang(initialLang()).then(start);
// ECharts is the largest file; fetch it while the session and the first figures load.
void loadCharts();
