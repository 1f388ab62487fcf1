// One bounded HTTP request: a deadline, no redirects followed, and a cap on the body it reads.

export type Fetch = (input: string, init: RequestInit) => Promise<Response>;

export interface Bounded {
  status: number;
  headers: Headers;
  body: string;
}

/** Why a bounded request failed, worded to follow "<what> " in a log line; no URL, no header. */
export type Failure = { failed: string };

export interface Limits {
  timeoutMs: number;
  maxBytes: number;
}

/**
 * Sends `init` to `url` and reads at most `maxBytes` of the answer before `timeoutMs`
 * (which covers the body too). A 3xx comes back as itself: following it would send the
 * client's credentials wherever the endpoint points.
 */
export async function boundedFetch(
  fetchFn: Fetch,
  url: string,
  init: RequestInit,
  limits: Limits,
): Promise<Bounded | Failure> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  try {
    const res = await fetchFn(url, { ...init, redirect: "manual", signal });
    const body = await readCapped(res, limits.maxBytes);
    if (body === null) return { failed: `sent a body larger than ${limits.maxBytes} bytes` };
    return { status: res.status, headers: res.headers, body };
  } catch (e) {
    if (signal.aborted) return { failed: `did not answer within ${limits.timeoutMs} ms` };
    // Error messages of fetch may quote the URL (which may hold credentials): name the kind.
    return { failed: `could not be reached (${e instanceof Error ? e.name : "error"})` };
  }
}

/** The body as text, or null as soon as it passes `max` bytes (the rest is never read). */
async function readCapped(res: Response, max: number): Promise<string | null> {
  if (res.body === null) return "";
  const declared = Number(res.headers.get("content-length"));
  if (declared > max) {
    await res.body.cancel().catch(() => {});
    return null;
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.byteLength;
  }
  return new TextDecoder().decode(all);
}
