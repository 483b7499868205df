/**
 * One JSON request to a running server, for the setup of the benchmarks and of the tests that
 * spawn whole server processes: the answer parsed (null when empty), or an error naming the
 * request, the server and what it answered.
 */
export async function requestJson(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- setup answers; their shapes are checked by the API tests
): Promise<any> {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} on ${base}: ${res.status} ${text}`);
  return text === '' ? null : JSON.parse(text);
}
