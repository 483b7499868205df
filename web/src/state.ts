/** Who is signed in (GET /auth/me), shared by the pages. */
import { api, ok } from './api.ts';
import { setTimeZone } from './format.ts';

export interface Me {
  id: number;
  email: string;
  role: string;
  scopes: string[];
  time_zone: string | null;
}

export let me: Me | null = null;

export async function loadMe(): Promise<Me> {
  const data = await ok(api.GET('/auth/me'));
  // time_zone comes with the settings endpoint (PATCH /auth/me); UTC until the user picks one.
  me = { ...data, time_zone: (data as { time_zone?: string | null }).time_zone ?? null };
  setTimeZone(me.time_zone);
  return me;
}

export function clearMe(): void {
  me = null;
  setTimeZone(null);
}

export function isAdmin(): boolean {
  return me?.role === 'admin';
}

export function canTrade(): boolean {
  return me !== null && me.role !== 'viewer' && (me.scopes.includes('trade') || me.scopes.includes('admin'));
}
