/**
 * The session and the typed client. Credentials: the token pair from POST /auth/login, kept in
 * localStorage so a reload or a second tab stays signed in. The access token (15 min) is renewed
 * shortly before it expires and after a 401; refresh tokens rotate and a spent one presented
 * twice revokes the whole login, so tabs renew under one Web Lock and re-read the stored pair
 * inside it (another tab may have renewed already).
 */
import { createClient, type components, type paths } from '../../src/client/index.ts';

export type Schemas = components['schemas'];
export type { paths };

const STORAGE = 'tradestore.session';
const LOCK = 'tradestore.refresh';

interface Session {
  access: string;
  refresh: string;
  /** Epoch ms when the access token expires. */
  expiresAt: number;
}

function stored(): Session | null {
  try {
    const s = JSON.parse(localStorage.getItem(STORAGE) ?? 'null') as Session | null;
    return s && typeof s.access === 'string' && typeof s.refresh === 'string' ? s : null;
  } catch {
    return null;
  }
}

function store(pair: Schemas['TokenPair'] | null): Session | null {
  if (!pair) {
    localStorage.removeItem(STORAGE);
    return null;
  }
  const s = {
    access: pair.access_token,
    refresh: pair.refresh_token,
    expiresAt: Date.now() + pair.expires_in * 1000,
  };
  localStorage.setItem(STORAGE, JSON.stringify(s));
  return s;
}

const listeners = new Set<() => void>();
/** Called when the session ends (logout, a refused refresh): the app shows the sign-in page. */
export function onSignedOut(fn: () => void): void {
  listeners.add(fn);
}
window.addEventListener('storage', (e) => {
  if (e.key === STORAGE && e.newValue === null) for (const fn of listeners) fn();
});

async function renew(spent: string | undefined): Promise<Session | null> {
  const run = async () => {
    const current = stored();
    if (!current) return null;
    // Another tab renewed while this one waited for the lock.
    if (current.access !== spent && current.expiresAt - Date.now() > 30_000) return current;
    const res = await fetch('/auth/refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: current.refresh }),
    });
    if (!res.ok) {
      store(null);
      for (const fn of listeners) fn();
      return null;
    }
    return store((await res.json()) as Schemas['TokenPair']);
  };
  return navigator.locks ? navigator.locks.request(LOCK, run) : run();
}

/** A valid access token, renewed first when it expires within 30 s; null when signed out. */
export async function accessToken(): Promise<string | null> {
  const s = stored();
  if (!s) return null;
  if (s.expiresAt - Date.now() > 30_000) return s.access;
  return (await renew(s.access))?.access ?? null;
}

export function signedIn(): boolean {
  return stored() !== null;
}

/** fetch with the access token; one renewal and retry after a 401. */
async function authedFetch(input: Request): Promise<Response> {
  const retry = input.clone();
  const token = await accessToken();
  if (token) input.headers.set('authorization', `Bearer ${token}`);
  const res = await fetch(input);
  if (res.status !== 401 || !token) return res;
  const renewed = await renew(token);
  if (!renewed) return res;
  retry.headers.set('authorization', `Bearer ${renewed.access}`);
  return fetch(retry);
}

export const api = createClient({ baseUrl: location.origin, fetch: authedFetch as typeof fetch });

/** An API error as one sentence: the server's message (it names the field) and its code. */
export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, body: unknown) {
    const e = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    super(e?.message ?? `request failed (${status})`);
    this.status = status;
    this.code = e?.code ?? 'error';
  }
}

/** The data of an openapi-fetch answer, or throws ApiFailure. */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) throw new ApiFailure(response.status, error);
  return data as T;
}

export async function signIn(email: string, password: string): Promise<void> {
  const pair = await ok(api.POST('/auth/login', { body: { email, password } }));
  store(pair);
}

export async function signOut(): Promise<void> {
  const s = stored();
  store(null);
  if (s) await api.POST('/auth/logout', { body: { refresh_token: s.refresh } }).catch(() => undefined);
  for (const fn of listeners) fn();
}
