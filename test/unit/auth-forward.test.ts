// --auth against a real loopback endpoint: what it is told, and how each kind of answer is read.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { IncomingMessage, ServerResponse } from "node:http";
import { askEndpoint, MAX_ANSWER_BYTES } from "../../src/auth/forward.ts";
import type { Refusal } from "../../src/auth/identity.ts";
import { clean, deadUrl, type Loopback, loopback } from "./auth-fixtures.ts";

const COOKIE = "session=s3cr3t-session-cookie-value";
const BEARER = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJlLXBhcnQ";

function upgrade(path = "/lobby?x=1&token=abc", headers: Record<string, string> = {}): Request {
  return new Request(`http://chat.example:9000${path}`, {
    headers: { cookie: COOKIE, authorization: `Bearer ${BEARER}`, ...headers },
  });
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Runs `body` against an endpoint answering with `handle`, then closes it. */
async function withEndpoint<T>(handle: Handler, body: (s: Loopback) => Promise<T>): Promise<T> {
  const server = await loopback(handle);
  try {
    return await body(server);
  } finally {
    await server.close();
  }
}

async function ask(url: string, request = upgrade(), timeoutMs = 2000) {
  return await askEndpoint({ url, timeoutMs }, request, { remote: "203.0.113.9", room: "lobby" });
}

/** The refusal, checked to hold neither the cookie nor the token in what is logged or shown. */
function refusal(verdict: Awaited<ReturnType<typeof ask>>): Refusal {
  if (verdict.ok) assert.fail(`expected a refusal, got ${JSON.stringify(verdict)}`);
  const shown = verdict.reason + verdict.text + JSON.stringify(verdict.headers ?? {});
  assert.ok(clean(shown, [BEARER, "s3cr3t-session-cookie-value"]), `credentials leaked: ${shown}`);
  return verdict;
}

test("the endpoint gets the credentials and X-Forwarded-* headers as a proxy sends them", async () => {
  await withEndpoint((_, res) => res.end(), async (server) => {
    const request = upgrade("/lobby?x=1", { "x-forwarded-for": "198.51.100.1" });
    assert.ok((await ask(`${server.url}/check`, request)).ok);
    const { headers, method, url } = server.seen[0];
    assert.equal(method, "GET");
    assert.equal(url, "/check");
    assert.equal(headers.cookie, COOKIE);
    assert.equal(headers.authorization, `Bearer ${BEARER}`);
    assert.equal(headers["x-forwarded-for"], "198.51.100.1, 203.0.113.9");
    assert.equal(headers["x-forwarded-proto"], "http");
    assert.equal(headers["x-forwarded-host"], "chat.example:9000");
    assert.equal(headers["x-forwarded-uri"], "/lobby?x=1");
    assert.equal(headers["x-original-uri"], "/lobby?x=1");
    assert.equal(headers["x-forwarded-method"], "GET");
    assert.equal(headers["x-scalesocket-room"], "lobby");
  });
});

test("a token offered as a subprotocol reaches the endpoint as Authorization", async () => {
  await withEndpoint((_, res) => res.end(), async (server) => {
    const request = new Request("http://h/lobby", {
      headers: { "sec-websocket-protocol": "chat" },
    });
    await askEndpoint({ url: server.url, timeoutMs: 2000 }, request, {
      remote: "::1",
      room: "lobby",
      offeredToken: "abc.def.ghi",
    });
    assert.equal(server.seen[0].headers.authorization, "Bearer abc.def.ghi");
    assert.equal(server.seen[0].headers.cookie, undefined);
  });
});

test("2xx admits with the user, info and rooms of its JSON answer, or a proxy's user header", async () => {
  const answers: Record<string, Handler> = {
    "/json": (_, res) => res.end('{"user":"ada","info":{"team":"red"},"rooms":["lobby","g-*"]}'),
    "/empty": (_, res) => void res.writeHead(204).end(),
    "/header": (_, res) => void res.writeHead(202, { "Remote-User": "bob" }).end(),
  };
  await withEndpoint((req, res) => answers[req.url!](req, res), async (server) => {
    assert.deepEqual(await ask(`${server.url}/json`), {
      ok: true,
      identity: {
        user: "ada",
        info: { team: "red" },
        rooms: ["lobby", "g-*"],
        expiresAt: null,
        type: "auth",
      },
    });
    const empty = await ask(`${server.url}/empty`);
    assert.ok(empty.ok && empty.identity.user === null, JSON.stringify(empty));
    const header = await ask(`${server.url}/header`);
    assert.ok(header.ok && header.identity.user === "bob", JSON.stringify(header));
  });
});

test("401 and 403 are passed on, with the endpoint's challenge", async () => {
  const answers: Record<string, Handler> = {
    "/401": (_, res) =>
      void res.writeHead(401, { "WWW-Authenticate": 'Bearer realm="chat"' }).end(),
    "/403": (_, res) => void res.writeHead(403).end("go away"),
  };
  await withEndpoint((req, res) => answers[req.url!](req, res), async (server) => {
    const unauthorized = refusal(await ask(`${server.url}/401`));
    assert.equal(unauthorized.status, 401);
    assert.deepEqual(unauthorized.headers, { "WWW-Authenticate": 'Bearer realm="chat"' });
    assert.equal(refusal(await ask(`${server.url}/403`)).status, 403);
  });
});

test("an endpoint that hangs, fails, redirects or answers garbage gives 503, fail closed", async () => {
  const answers: Record<string, Handler> = {
    "/hang": () => {},
    "/500": (_, res) => void res.writeHead(500).end("stack trace"),
    "/302": (_, res) => void res.writeHead(302, { location: "http://127.0.0.1:1/login" }).end(),
    "/text": (_, res) => res.end("OK"),
    "/array": (_, res) => res.end("[1]"),
    "/huge": (_, res) => res.end(`{"user":"${"x".repeat(MAX_ANSWER_BYTES)}"}`),
    "/slow-body": (_, res) => void res.write('{"user":'),
    "/bad-user": (_, res) => res.end('{"user":"a\\nb"}'),
  };
  await withEndpoint((req, res) => answers[req.url!](req, res), async (server) => {
    const reasons: Record<string, string> = {
      "/hang": "auth endpoint did not answer within 300 ms",
      "/500": "auth endpoint answered 500",
      "/302": "auth endpoint redirected (302)",
      "/text": "auth endpoint answered with a body that is not JSON",
      "/array": "auth endpoint answered with JSON that is not an object",
      "/huge": `auth endpoint sent a body larger than ${MAX_ANSWER_BYTES} bytes`,
      "/slow-body": "auth endpoint did not answer within 300 ms",
      "/bad-user": "invalid user from the auth endpoint",
    };
    for (const [path, reason] of Object.entries(reasons)) {
      const verdict = refusal(await ask(`${server.url}${path}`, upgrade(), 300));
      assert.equal(verdict.status, 503, path);
      assert.equal(verdict.reason, reason, path);
      assert.equal(verdict.text, "Authentication unavailable", "a 503 body says nothing of why");
    }
    const followed = server.seen.filter((r) => r.url === "/login");
    assert.equal(followed.length, 0, "the redirect was followed");
  });
  const down = refusal(await ask(await deadUrl()));
  assert.equal(down.status, 503);
  assert.match(down.reason, /^auth endpoint could not be reached/);
});

test("other clients are answered while the endpoint hangs for one", async () => {
  let arrived = () => {};
  const reached = new Promise<void>((resolve) => (arrived = resolve));
  let release: (body: string) => void = () => {};
  await withEndpoint((req, res) => {
    if (req.url !== "/hang") return void res.end('{"user":"ada"}');
    release = (body) => res.end(body);
    arrived();
  }, async (server) => {
    const slow = ask(`${server.url}/hang`, upgrade(), 5000);
    await reached;
    const quick = await ask(`${server.url}/ok`);
    assert.ok(quick.ok, "a quick answer waited for the hanging one");
    release('{"user":"late"}');
    const late = await slow;
    assert.ok(late.ok && late.identity.user === "late", JSON.stringify(late));
  });
});
