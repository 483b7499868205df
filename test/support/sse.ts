/**
 * A Server-Sent Events client over node's fetch (the body read as a stream), for the events
 * suites and the latency benchmark: messages as they arrive (id, event, data parsed as JSON),
 * comment lines apart (heartbeats), and waits that fail with what did arrive.
 */

export interface SseMessage {
  id: string | undefined;
  event: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- asserted field by field
  data: any;
  /** performance.now() when the message's last byte was read. */
  receivedAt: number;
}

export interface SseClient {
  status: number;
  headers: Headers;
  messages: SseMessage[];
  comments: string[];
  /** Resolves when `count` messages in all have arrived; rejects after `timeoutMs` with what came. */
  waitFor(count: number, timeoutMs?: number): Promise<SseMessage[]>;
  /** Resolves when a comment matching `pattern` has arrived. */
  waitForComment(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves when the server ended the stream. */
  ended: Promise<void>;
  /** The body of an answer that is not a stream (a refusal). */
  text(): Promise<string>;
  close(): void;
}

export async function openSse(
  url: string,
  options: { token?: string; headers?: Record<string, string> } = {},
): Promise<SseClient> {
  const abort = new AbortController();
  const res = await fetch(url, {
    headers: {
      accept: 'text/event-stream',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    signal: abort.signal,
  });
  const messages: SseMessage[] = [];
  const comments: string[] = [];
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of [...waiters]) w();
  };
  let done = false;
  const wait = (ready: () => boolean, timeoutMs: number, what: () => string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (ready()) {
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        } else if (done) {
          clearTimeout(timer);
          waiters.delete(check);
          reject(new Error(`the stream ended before ${what()}`));
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });

  const ended = (async () => {
    if (!res.body || !res.headers.get('content-type')?.startsWith('text/event-stream')) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let at: number;
        while ((at = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          parseBlock(block, messages, comments);
        }
        notify();
      }
    } catch (error) {
      if (!abort.signal.aborted) throw error;
    } finally {
      done = true;
      notify();
    }
  })();
  ended.catch(() => {});

  return {
    status: res.status,
    headers: res.headers,
    messages,
    comments,
    async waitFor(count, timeoutMs = 15_000) {
      await wait(
        () => messages.length >= count,
        timeoutMs,
        () =>
          `${count} messages (got ${messages.length}: ${messages.map((m) => `${m.event}#${m.id}`).join(' ')})`,
      );
      return messages.slice(0, count);
    },
    waitForComment: (pattern, timeoutMs = 15_000) =>
      wait(
        () => comments.some((c) => pattern.test(c)),
        timeoutMs,
        () => `a comment ${pattern} (got ${JSON.stringify(comments)})`,
      ),
    ended,
    text: () => res.text(),
    close: () => abort.abort(),
  };
}

function parseBlock(block: string, messages: SseMessage[], comments: string[]): void {
  let id: string | undefined;
  let event = 'message';
  const data: string[] = [];
  let fields = 0;
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) {
      comments.push(line.slice(1).trim());
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (name === 'id') id = value;
    else if (name === 'event') event = value;
    else if (name === 'data') data.push(value);
    else continue;
    fields += 1;
  }
  if (fields === 0 || data.length === 0) return;
  const text = data.join('\n');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  messages.push({ id, event, data: parsed, receivedAt: performance.now() });
}
