/** Who is signed in (GET /auth/me), shared by the pages. */
import { api, ok, type paths } from './api.ts';
import { setTimeZone } from './format.ts';

export type Me = paths['/auth/me']['get']['responses'][200]['content']['application/json'];

export let me: Me | null = null;

export async function loadMe(): Promise<Me> {
  me = await ok(api.GET('/auth/me'));
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
