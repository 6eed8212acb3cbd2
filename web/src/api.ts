// The JSON API (docs/api.md): the session cookie plus the CSRF token on every
// write, one error shape, and two conditions the whole interface shows: the
// server cannot be reached, and the session has expired.

export interface ProblemDetail {
  file?: string;
  line?: number;
  field?: string;
  message: string;
}

// An answer of the server that is an error ({"error": {code, message, details}}).
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ProblemDetail[] = [],
  ) {
    super(message);
  }
}

// No answer at all: the server is down or the network is.
export class NetworkError extends Error {}

export const bus = new EventTarget();
export type BusEvent = 'unreachable' | 'reachable' | 'session-expired' | 'ledger-changed';
export function emit(name: BusEvent, detail?: unknown): void {
  bus.dispatchEvent(new CustomEvent(name, { detail }));
}
export function on(name: BusEvent, listener: (detail: unknown) => void): () => void {
  const wrapped = (event: Event) => listener((event as CustomEvent).detail);
  bus.addEventListener(name, wrapped);
  return () => bus.removeEventListener(name, wrapped);
}

let csrfToken = '';
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

export type Query = Record<string, string | number | null | undefined>;

export interface RequestOptions {
  query?: Query;
  json?: unknown;
  body?: BodyInit;
  contentType?: string;
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export function queryString(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== null && value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body = options.body;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.contentType) {
    headers['Content-Type'] = options.contentType;
  }
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey;
  let response: Response;
  try {
    response = await fetch(`api/v1${path}${queryString(options.query)}`, {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    emit('unreachable');
    throw new NetworkError(String(error));
  }
  // A proxy in front of a stopped server answers 502-504 without our JSON.
  const text = await response.text();
  let data: any = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (response.status >= 502 && response.status <= 504 && !data?.error) {
    emit('unreachable');
    throw new NetworkError(`HTTP ${response.status}`);
  }
  emit('reachable');
  if (!response.ok) {
    const error = data?.error ?? {};
    const apiError = new ApiError(response.status, error.code ?? 'error', error.message ?? `HTTP ${response.status}`, error.details ?? []);
    if (response.status === 401 && path !== '/login' && path !== '/session') emit('session-expired');
    throw apiError;
  }
  return data as T;
}

export const get = <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>('GET', path, { query, signal });
export const post = <T>(path: string, json: unknown, idempotencyKey?: string) =>
  request<T>('POST', path, { json, idempotencyKey });

// --- The API's shapes (src/server/openapi.json) -------------------------------

export type Role = 'admin' | 'officer' | 'focal_point' | 'viewer';
export interface User {
  name: string;
  role: Role;
  disabled: boolean;
  donors: string[];
  csrf_token?: string;
}
export interface Donor {
  id: string;
  name: string;
  type: string;
  country?: string;
  name_ar?: string;
  name_zh?: string;
  name_fr?: string;
  name_ru?: string;
  name_es?: string;
}
export interface Fund {
  id: string;
  name: string;
  category: string;
}
export interface Target {
  fund: string;
  year_from: number;
  year_to: number;
  amount_usd: string;
  decided_on: string;
  note?: string;
}
export interface Appeal {
  id: string;
  name: string;
  requirement_usd: string;
  countries?: number;
  launched_on: string;
}
export interface PledgingEvent {
  id: string;
  name: string;
  held_on: string;
}
export interface Rate {
  currency: string;
  month: string;
  units_per_usd: string;
}
export type EntryKind = 'pledge' | 'receipt' | 'expected' | 'write_off' | 'reversal';
export interface Entry {
  seq?: number;
  id: string;
  kind: EntryKind;
  donor: string;
  fund: string;
  amount: string;
  currency: string;
  usd: string;
  value_date: string;
  recorded_at: string;
  attributed_year: number;
  region?: string;
  country?: string;
  programme?: string;
  appeal?: string;
  channel?: string;
  event?: string;
  settles?: string;
  reverses?: string;
  probability?: string;
  note?: string;
}
export interface EntryPage {
  entries: Entry[];
  next_cursor: string | null;
}
// GET /donors/{id}/summary: a donor's figures, computed by the server.
export interface OpenEntry extends Entry {
  settled: string; // in the entry's currency
  open: string; // in the entry's currency
  open_usd: string;
  weighted_usd?: string; // expectations: open_usd weighted by probability
}
export interface DonorSummary {
  donor: string;
  as_of: string;
  known_at: string | null;
  currency: 'USD';
  received_usd: string;
  giving: { year: number; received_usd: string; funds: { fund: string; received_usd: string }[] }[];
  open_pledged_usd: string;
  open_pledges_count: number; // in all: open_pledges may be one page (open_offset, open_limit)
  open_pledges: OpenEntry[];
  expected_usd: string;
  expected_unweighted_usd: string;
  expectations_count: number;
  expectations: OpenEntry[];
  focal_points: string[];
}
export interface RankedDonor {
  rank: number;
  donor: string;
  name: string;
  type: string;
  member_state: boolean;
  received_usd: string;
  includes_prior_year: boolean;
}
export interface Report {
  year: number;
  as_of: string;
  known_at: string | null;
  basis: 'gross' | 'net';
  currency: string;
  has_data: boolean;
  income_vs_target: {
    fund: string;
    name: string;
    category: string;
    received_usd: string;
    prior_year_usd: string;
    net_usd: string;
    target_usd: string | null;
    share: number | null;
    share_gross: number | null;
    share_net: number | null;
  }[];
  top_contributors: { fund: string; name: string; donors: RankedDonor[]; member_states: RankedDonor[] }[];
  regions: { region: string; received_usd: string }[];
  forecast: {
    fund: string;
    name: string;
    received_usd: string;
    pledged_usd: string;
    expected_usd: string;
    expected_unweighted_usd: string;
    total_usd: string;
    target_usd: string | null;
  }[];
  appeals: {
    appeal: string;
    name: string;
    countries: number;
    launched_on: string;
    requirement_usd: string;
    mobilized_usd: string;
    gap_usd: string;
    coverage: number;
    by_channel: Record<string, string>;
  }[];
  events: { event: string; name: string; held_on: string; pledged_usd: string; by_category: Record<string, string> }[];
  concentration: { top_n: number; donors: number; total_usd: string; top_usd: string; top_share: number | null; hhi: number | null };
  target_history: {
    fund: string;
    year_from: number;
    year_to: number;
    amount_usd: string;
    previous_usd: string | null;
    decided_on: string;
    note: string;
    in_force: boolean;
  }[];
}
export interface AuditRecord {
  seq: number;
  at: string;
  actor: string;
  address: string;
  request_id: string;
  action: string;
  entity: string;
  entity_id: string;
  before: unknown;
  after: unknown;
  hash: string;
}
