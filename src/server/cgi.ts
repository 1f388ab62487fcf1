// --cgidir: plain HTTP requests run CGI/1.1 scripts from a directory (websocketd's --cgidir).
import type { Context, MiddlewareHandler } from "hono";
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import type { Runtime } from "../runtime/types.ts";
import { childEnv } from "../room/env.ts";
import { terminate } from "../room/terminate.ts";
import type { Door } from "../room/door.ts";
import { peerOf } from "../http/serve.ts";
import { findProgram } from "./programs.ts";

/** A script's whole answer is kept before it is sent: past this it is cut off with 502. */
const MAX_OUTPUT = 64 * 1024 * 1024;
/** A script still running after this long is stopped with the termination table. */
const TIMEOUT_MS = 60_000;

export function cgiScripts(
  config: Config,
  runtime: Runtime,
  log: Logger,
  version: string,
  registry: Door,
): MiddlewareHandler {
  const dir = config.cgiDir!;
  return async (c, next) => {
    const [, first = "", ...more] = new URL(c.req.url).pathname.split("/");
    const script = (await findProgram(runtime, dir, first))?.path;
    if (!script) return next();
    // --maxforks counts CGI processes too, as in websocketd.
    const release = registry.hold();
    if (!release) return c.text("Too many processes\n", 429);
    try {
      return await serveScript(c, script, first, more);
    } finally {
      release();
    }
  };

  async function serveScript(c: Context, script: string, first: string, more: string[]) {
    const body = new Uint8Array(await c.req.arrayBuffer());
    const url = new URL(c.req.url);
    const env = childEnv({
      serverEnv: runtime.env(),
      passEnv: config.passEnv,
      req: {
        method: c.req.method,
        url,
        httpVersion: "1.1",
        headers: [...c.req.raw.headers],
        peer: peerOf(c),
        tls: config.tls !== null,
      },
      room: null,
      scriptName: `/${first}`,
      pathInfo: more.length > 0 ? `/${more.join("/")}` : "",
      serverSoftware: `scalesocket/${version}`,
      uniqueId: crypto.randomUUID(),
      extra: {
        CONTENT_LENGTH: body.byteLength > 0 ? String(body.byteLength) : "",
        CONTENT_TYPE: c.req.header("content-type") ?? "",
      },
    });
    return await run(c, runtime, log, config.closeMs, script, env, body);
  }
}

async function run(
  c: Context,
  runtime: Runtime,
  log: Logger,
  closeMs: number,
  script: string,
  env: Record<string, string>,
  body: Uint8Array,
): Promise<Response> {
  let child;
  try {
    child = await runtime.spawn(script, [], { env });
  } catch (err) {
    log.error((err as Error).message);
    return c.text("Bad gateway\n", 502);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const timer = setTimeout(() => void terminate(child, closeMs), TIMEOUT_MS);
  const output = child.readOutput((chunk) => {
    size += chunk.byteLength;
    if (size <= MAX_OUTPUT) chunks.push(chunk);
    else void terminate(child, closeMs);
  }, (chunk) => log.info(new TextDecoder().decode(chunk).trimEnd(), { stream: "stderr", script }));
  child.write(body);
  child.closeStdin();
  const [status] = await Promise.all([child.exited, output]);
  clearTimeout(timer);
  if (size > MAX_OUTPUT) return c.text("Bad gateway: CGI output too large\n", 502);
  if (status.code !== 0) log.warn("CGI script failed", { script, code: status.code ?? -1 });
  return parseCgi(concat(chunks, size)) ?? c.text("Bad gateway: no CGI headers\n", 502);
}

/** The script's output as an HTTP response: headers, a blank line, the body (RFC 3875 §6). */
export function parseCgi(out: Uint8Array): Response | null {
  const text = new TextDecoder("latin1").decode(out.subarray(0, Math.min(out.length, 65536)));
  const m = /\r?\n\r?\n/.exec(text);
  if (!m) return null;
  const headers = new Headers();
  let status = 200;
  for (const line of text.slice(0, m.index).split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) return null;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === "status") status = Number.parseInt(value, 10) || 500;
    else {
      try {
        headers.append(name, value);
      } catch {
        return null;
      }
    }
  }
  // A Location without a Status is a redirect (RFC 3875 §6.2.3).
  if (headers.has("location") && status === 200) status = 302;
  // latin1 decoding keeps one char per byte, so text offsets are byte offsets.
  const body = out.slice(m.index + m[0].length);
  const empty = status === 204 || status === 304 || (status >= 100 && status < 200);
  return new Response(empty ? null : body as Uint8Array<ArrayBuffer>, { status, headers });
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(Math.min(size, MAX_OUTPUT));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
