// authenticate(): the single admission check, from configuration to a status and an identity.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Hono } from "hono";
import { type Authenticator, createAuthenticator } from "../../src/auth/authenticate.ts";
import { authGuard } from "../../src/auth/guard.ts";
import type { AuthConfig } from "../../src/config.ts";
import { clean, deadUrl, inTempDir, loopback, mint, nowS, pair } from "./auth-fixtures.ts";

const SECRET = "0123456789abcdef-jwt-secret";
const io = { readFile: (path: string) => readFile(path, "utf8") };
const LOBBY = { remote: "127.0.0.1", room: "lobby" };

function config(over: Partial<AuthConfig> = {}): AuthConfig {
  return {
    jwt: { key: { kind: "secret", secret: SECRET }, audience: null, issuer: null },
    endpoint: null,
    cookie: "jwt",
    expireClose: true,
    publicApi: false,
    ...over,
  };
}

function upgrade(headers: Record<string, string> = {}, path = "/lobby"): Request {
  return new Request(`http://h:9000${path}`, { headers });
}

async function status(auth: Authenticator, request: Request, room: string | null = "lobby") {
  const verdict = await auth.authenticate(request, { remote: "127.0.0.1", room });
  return verdict.ok ? 200 : verdict.status;
}

test("no token is 401 with WWW-Authenticate: Bearer; a good one admits from anywhere it may be", async () => {
  const auth = await createAuthenticator(config(), io);
  const none = await auth.authenticate(upgrade(), LOBBY);
  assert.deepEqual(none, {
    ok: false,
    status: 401,
    reason: "no token",
    text: "Unauthorized: no token",
    headers: { "WWW-Authenticate": "Bearer" },
  });
  const token = await mint({ sub: "ada", exp: nowS() + 60 }, SECRET);
  const places = [
    upgrade({ authorization: `Bearer ${token}` }),
    upgrade({ cookie: `jwt=${token}` }),
    upgrade({}, `/lobby?token=${token}`),
    upgrade({ "sec-websocket-protocol": `bearer.${token}, chat` }),
  ];
  for (const request of places) {
    const verdict = await auth.authenticate(request, LOBBY);
    assert.ok(verdict.ok, JSON.stringify(verdict));
    assert.equal(verdict.identity.user, "ada");
  }
  const offered = await auth.authenticate(places[3], LOBBY);
  assert.equal(offered.ok && offered.protocol, "chat", "the answered protocol");
});

test("a rooms claim that does not include the room is 403; the API (no room) is not a room", async () => {
  const auth = await createAuthenticator(config(), io);
  const token = await mint({ sub: "ada", rooms: ["game-*"] }, SECRET);
  const bearer = { authorization: `Bearer ${token}` };
  assert.equal(await status(auth, upgrade(bearer), "game-1"), 200);
  const verdict = await auth.authenticate(upgrade(bearer), LOBBY);
  assert.equal(verdict.ok ? 200 : verdict.reason, "room not allowed");
  assert.equal(await status(auth, upgrade(bearer, "/api/rooms"), null), 200);
});

test("an invalid token is 403 and its reason never holds it", async () => {
  const auth = await createAuthenticator(config(), io);
  const forged = await mint({ sub: "eve" }, "not-the-secret-at-all-no");
  const verdict = await auth.authenticate(upgrade({ cookie: `jwt=${forged}` }), LOBBY);
  if (verdict.ok) assert.fail("a forged token was admitted");
  assert.equal(verdict.status, 403);
  assert.ok(clean(`${verdict.reason} ${verdict.text}`, [forged]));
});

test("--auth asks the endpoint, and its rooms limit the client too", async () => {
  const server = await loopback((_, res) => res.end('{"user":"ada","rooms":["lobby"]}'));
  try {
    const auth = await createAuthenticator(
      config({ jwt: null, endpoint: { url: server.url, timeoutMs: 2000 } }),
      io,
    );
    const request = upgrade({ "sec-websocket-protocol": "bearer.abc, v1" });
    const verdict = await auth.authenticate(request, LOBBY);
    assert.deepEqual(verdict.ok && [verdict.identity.user, verdict.protocol], ["ada", "v1"]);
    assert.equal(server.seen[0].headers.authorization, "Bearer abc");
    assert.equal(await status(auth, upgrade(), "game"), 403);
  } finally {
    await server.close();
  }
});

test("a PEM key file is read through the given reader; a bad or missing one fails the start", async () => {
  await inTempDir(async (dir) => {
    const rsa = await pair("RS256");
    const file = join(dir, "key.pem");
    await writeFile(file, rsa.pem);
    const pem = (path: string) =>
      config({ jwt: { key: { kind: "pem", file: path }, audience: "chat", issuer: null } });
    const auth = await createAuthenticator(pem(file), io);
    const token = await mint({ sub: "ada", aud: "chat" }, rsa.privateKey, { alg: "RS256" });
    assert.equal(await status(auth, upgrade({ authorization: `Bearer ${token}` })), 200);
    await assert.rejects(
      createAuthenticator(pem(`${file}.missing`), io),
      /^Error: Cannot read --jwt-key ".*\.missing": /,
    );
    await writeFile(
      `${file}.private`,
      "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    );
    await assert.rejects(
      createAuthenticator(pem(`${file}.private`), io),
      {
        message: `Cannot use --jwt-key "${file}.private": expected a PUBLIC KEY, not "PRIVATE KEY"`,
      },
    );
    await writeFile(`${file}.text`, "hello");
    await assert.rejects(createAuthenticator(pem(`${file}.text`), io), /expected a PEM public key/);
  });
});

test("a --jwks URL that is down does not stop the start: it warns, and clients get 503", async () => {
  const url = await deadUrl();
  const auth = await createAuthenticator(
    config({ jwt: { key: { kind: "jwks", url }, audience: null, issuer: null } }),
    io,
  );
  assert.match(String(await auth.loaded), /^JWKS could not be reached/);
  const k = await pair("ES256");
  const token = await mint({ sub: "ada" }, k.privateKey, { alg: "ES256", kid: "k" });
  assert.equal(await status(auth, upgrade({ authorization: `Bearer ${token}` })), 503);
  const missing = config({
    jwt: { key: { kind: "jwks", file: "/nonexistent/jwks.json" }, audience: null, issuer: null },
  });
  await assert.rejects(
    createAuthenticator(missing, io),
    /^Error: Cannot use --jwks "\/nonexistent\/jwks.json"/,
  );
});

test("an unexpected failure inside becomes a 503, never an exception", async () => {
  const auth = await createAuthenticator(config(), io);
  const broken = {
    headers: {
      get: () => {
        throw new Error("boom");
      },
    },
    url: "http://h/",
  } as unknown as Request;
  const verdict = await auth.authenticate(broken, LOBBY);
  assert.equal(verdict.ok ? 200 : verdict.reason, "authentication failed unexpectedly");
});

test("the guard lets credentialed requests through to the API and refuses the rest", async () => {
  const auth = await createAuthenticator(config(), io);
  const reasons: string[] = [];
  const app = new Hono();
  app.use("/api/*", authGuard(auth, () => "127.0.0.1", (reason) => reasons.push(reason)));
  app.get("/api/rooms", (c) => c.json([]));
  const none = await app.request("/api/rooms");
  assert.equal(none.status, 401);
  assert.equal(none.headers.get("www-authenticate"), "Bearer");
  assert.equal(await none.text(), "Unauthorized: no token\n");
  const token = await mint({ sub: "prometheus", rooms: [] }, SECRET);
  const ok = await app.request("/api/rooms", { headers: { authorization: `Bearer ${token}` } });
  assert.equal(ok.status, 200, "a rooms claim limited a request that has no room");
  assert.deepEqual(reasons, ["no token"]);
});
