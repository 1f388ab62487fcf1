// Helpers for the authentication groups: handshakes that show the refusal's headers, tokens.
import WebSocket from "ws";
import assert from "node:assert/strict";
import { mint, nowS } from "../../unit/auth-fixtures.ts";
import type { Running } from "../harness.ts";

export const SECRET = "0123456789abcdef-e2e-secret";

/** An HS256 token for user `sub`, valid for an hour unless claims say otherwise. */
export function token(claims: Record<string, unknown> = {}, key = SECRET): Promise<string> {
  return mint({ sub: "ada", exp: nowS() + 3600, ...claims }, key);
}

export type Attempt =
  | { open: true; ws: WebSocket; protocol: string; first: Promise<string> }
  | { open: false; status: number; body: string; headers: Record<string, unknown> };

/** Opens a websocket, or reports the refusal before the upgrade with its status and headers. */
export function attempt(
  url: string,
  headers: Record<string, string> = {},
  protocols: string[] = [],
): Promise<Attempt> {
  const ws = new WebSocket(url, protocols, { headers });
  const first = new Promise<string>((resolve) => ws.once("message", (d) => resolve(String(d))));
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve({ open: true, ws, protocol: ws.protocol, first }));
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (d: Buffer) => body += d);
      res.on(
        "end",
        () => resolve({ open: false, status: res.statusCode ?? 0, body, headers: res.headers }),
      );
    });
    ws.once("error", (e) => reject(new Error(`cannot connect to ${url}: ${e.message}`)));
  });
}

/** Expects a refusal with this status (and body, when given); returns it for more checks. */
export async function refused(
  url: string,
  status: number,
  headers: Record<string, string> = {},
  body?: RegExp,
) {
  const a = await attempt(url, headers);
  if (a.open) {
    a.ws.close();
    assert.fail(`${url}: expected ${status} before the upgrade, but the websocket opened`);
  }
  assert.equal(a.status, status, `${url}: status (body ${JSON.stringify(a.body)})`);
  if (body) assert.match(a.body, body);
  return a;
}

/** Expects the websocket to open; returns it. */
export async function opened(url: string, headers: Record<string, string> = {}) {
  const a = await attempt(url, headers);
  if (!a.open) assert.fail(`${url}: expected to open, got ${a.status} ${a.body.trim()}`);
  return a;
}

/** No token, nor any long part of one, appears in the server's stderr. */
export function assertNoToken(s: Running, tokens: string[]): void {
  const err = s.stderr();
  for (const t of tokens) {
    for (const part of [t, ...t.split(".").filter((p) => p.length >= 12)]) {
      assert.ok(!err.includes(part), `a token part is in the server's log:\n${err}`);
    }
  }
}
