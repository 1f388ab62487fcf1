// End to end: the application's own auth endpoint (--auth) and a JWKS (--jwks), on loopback.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { deadUrl, loopback, mint, nowS, pair } from "../../unit/auth-fixtures.ts";
import { launch, type Launcher, PY } from "../harness.ts";
import { Client } from "../client.ts";
import { attempt, opened, refused } from "./auth-util.ts";

/** What the endpoint does for each session cookie. */
const ANSWERS: Record<string, (res: ServerResponse) => void> = {
  ok: (res) => res.end('{"user":"bob","info":{"team":"red"},"rooms":["r*"]}'),
  deny: (res) => res.writeHead(403).end(),
  nobody: (res) => res.writeHead(401).end(),
  fail: (res) => res.writeHead(500).end("boom"),
  moved: (res) => res.writeHead(302, { Location: "/login" }).end(),
  garbage: (res) => res.end("<html>not json"),
  huge: (res) => res.end(`{"user":"${"x".repeat(1_000_000)}"}`),
  hang: () => {},
};

export function authEndpointTests(l: Launcher): void {
  describe("authentication by the application's endpoint", () => {
    it("admits with the endpoint's user and refuses what it refuses or cannot answer", async () => {
      const endpoint = await loopback((req, res) => {
        const session = /session=(\w+)/.exec(req.headers.cookie ?? "")?.[1] ?? "";
        (ANSWERS[session] ?? ANSWERS.nobody)(res);
      });
      try {
        const s = await launch(
          l,
          ["--json", "--auth", endpoint.url, "--auth-timeout", "2"].concat(
            [...PY, "echo"],
          ),
        );
        const as = (session: string) => ({ Cookie: `session=${session}` });
        // A hanging endpoint holds only its own client: another is admitted meanwhile.
        const hanging = refused(s.ws("/r1"), 503, as("hang"));
        const c = await Client.open(s.ws("/r1?x=1"), as("ok"));
        assert.deepEqual(JSON.parse(await c.text("the join")), {
          t: "Join",
          _from: 1,
          _user: "bob",
          _info: { team: "red" },
        });
        const seen = endpoint.seen.find((r) => r.headers.cookie === "session=ok")!;
        assert.equal(seen.headers["x-forwarded-uri"], "/r1?x=1");
        assert.equal(seen.headers["x-scalesocket-room"], "r1");
        await c.close();
        await refused(s.ws("/r1"), 403, as("deny"));
        await refused(s.ws("/r1"), 401, as("nobody"));
        await refused(s.ws("/other"), 403, as("ok"), /room not allowed/);
        for (const broken of ["fail", "moved", "garbage", "huge"]) {
          await refused(s.ws("/r1"), 503, as(broken), /^Authentication unavailable/);
        }
        await hanging;
        assert.doesNotMatch(s.stderr(), /session=/, "no cookie in the log");
      } finally {
        await endpoint.close();
      }
    });
  });

  describe("authentication with a JWKS", () => {
    it("admits a token signed by a key of the set, chosen by kid", async () => {
      const key = await pair("ES256");
      const jwks = await loopback((_req, res) =>
        res.end(JSON.stringify({ keys: [{ ...key.jwk, kid: "k1", alg: "ES256" }] }))
      );
      try {
        const s = await launch(l, ["--jwks", `${jwks.url}/keys.json`, ...PY, "env"]);
        const t = await mint({ sub: "eve", exp: nowS() + 600 }, key.privateKey, {
          alg: "ES256",
          kid: "k1",
        });
        const a = await opened(s.ws(`/r?token=${t}`));
        assert.equal(JSON.parse(await a.first).REMOTE_USER, "eve");
        a.ws.close();
        const other = await pair("ES256");
        const forged = await mint({ sub: "eve" }, other.privateKey, { alg: "ES256", kid: "k1" });
        await refused(s.ws(`/r?token=${forged}`), 403);
      } finally {
        await jwks.close();
      }
    });

    it("answers 503 while the set is down or garbage, and stays up", async () => {
      const key = await pair("ES256");
      const t = await mint({ sub: "eve" }, key.privateKey, { alg: "ES256", kid: "k1" });
      const garbage = await loopback((_req, res) => res.end("not a key set"));
      try {
        for (const url of [await deadUrl(), garbage.url]) {
          const s = await launch(l, ["--jwks", url, ...PY, "echo"]);
          await refused(s.ws(`/r?token=${t}`), 503);
          const again = await attempt(s.ws(`/r?token=${t}`));
          assert.ok(!again.open && again.status === 503, "still 503, still up");
        }
      } finally {
        await garbage.close();
      }
    });
  });
}
