// End to end: tokens decide who joins, before the upgrade; the program learns who, never how.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { b64url, inTempDir, nowS, pair } from "../../unit/auth-fixtures.ts";
import { launch, type Launcher, PY } from "../harness.ts";
import { Client } from "../client.ts";
import { assertNoToken, attempt, opened, refused, SECRET, token } from "./auth-util.ts";

export function authTests(l: Launcher): void {
  describe("authentication with tokens", () => {
    it("gives the child the verified user and none of the credentials", async () => {
      const s = await launch(l, ["--jwt-secret", SECRET, "--jwt-cookie", "sess", ...PY, "env"]);
      const t = await token({ sub: "ada lovelace" });
      const a = await attempt(s.ws(`/lab?token=${t}&x=1`), {
        Authorization: `Bearer ${t}`,
        Cookie: `theme=dark; sess=${t}`,
      }, [`bearer.${t}`, "chat"]);
      assert.ok(a.open, "the websocket opens");
      assert.equal(a.protocol, "chat", "answered with the other protocol offered");
      const env = JSON.parse(await a.first);
      assert.equal(env.REMOTE_USER, "ada lovelace");
      assert.equal(env.AUTH_TYPE, "jwt");
      assert.equal(env.HTTP_AUTHORIZATION, undefined, "no Authorization header");
      assert.equal(env.HTTP_COOKIE, "theme=dark", "other cookies kept");
      assert.equal(env.HTTP_SEC_WEBSOCKET_PROTOCOL, "chat");
      assert.equal(env.QUERY_STRING, "x=1");
      assert.equal(env.REQUEST_URI, "/lab?x=1");
      for (const [name, value] of Object.entries(env)) {
        assert.ok(!String(value).includes(t.split(".")[2]), `${name} holds the token`);
      }
      a.ws.close();
      assertNoToken(s, [t]);
    });

    it("refuses each bad token with its status before the upgrade, and logs none", async () => {
      const s = await launch(l, [
        "--jwt-secret",
        SECRET,
        "--jwt-audience",
        "chat",
        "--jwt-issuer",
        "https://issuer.test",
        ...PY,
        "echo",
      ]);
      const good = { aud: "chat", iss: "https://issuer.test" };
      const none = `${b64url('{"alg":"none","typ":"JWT"}')}.${b64url('{"sub":"ada"}')}.`;
      const valid = await token(good);
      const [h, p, sig] = valid.split(".");
      const bad: [string, string, number][] = [
        ["alg none", none, 403],
        ["a wrong signature", `${h}.${p}.${sig.slice(0, -4)}AAAA`, 403],
        ["a truncated token", valid.slice(0, valid.length - 20), 403],
        ["bad base64", `${h}.${p}!!.${sig}`, 403],
        ["exp in the past", await token({ ...good, exp: nowS() - 600 }), 403],
        ["nbf in the future", await token({ ...good, nbf: nowS() + 600 }), 403],
        ["another audience", await token({ ...good, aud: "other" }), 403],
        ["another issuer", await token({ ...good, iss: "https://evil.test" }), 403],
        ["another room", await token({ ...good, rooms: ["kitchen", "lab-*"] }), 403],
        ["another secret", await token(good, "another-secret-0123456789"), 403],
      ];
      const none401 = await refused(s.ws("/lab"), 401, {}, /^Unauthorized: no token/);
      assert.equal(none401.headers["www-authenticate"], "Bearer");
      for (const [what, t, status] of bad) {
        const r = await refused(s.ws(`/lab?token=${encodeURIComponent(t)}`), status);
        assert.match(r.body, /^Forbidden: /, what);
      }
      // 100 KB does not fit in a request head: HTTP itself refuses it (Node with 431, Deno's
      // node:http by closing the connection), and the server stays up for the next client.
      const huge = await attempt(s.ws("/lab"), { Authorization: `Bearer ${"a".repeat(100_000)}` })
        .catch((e: Error) => e);
      assert.ok(huge instanceof Error || (!huge.open && huge.status >= 400), "100 KB refused");
      const ok = await opened(s.ws("/lab-1"), {
        Authorization: `Bearer ${await token(
          { ...good, rooms: ["kitchen", "lab-*"] },
        )}`,
      });
      ok.ws.close();
      assertNoToken(s, [valid, ...bad.map(([, t]) => t)]);
      assert.doesNotMatch(s.stderr(), /Error:|at .*\.ts:\d+/, "no stack trace in the log");
    });

    it("refuses an HS256 token signed with the RSA key's text (algorithm confusion)", async () => {
      await inTempDir(async (dir) => {
        const rsa = await pair("RS256");
        const file = join(dir, "key.pem");
        writeFileSync(file, rsa.pem);
        const s = await launch(l, ["--jwt-key", file, ...PY, "echo"]);
        const confused = await token({}, rsa.pem);
        await refused(s.ws(`/room?token=${confused}`), 403);
      });
    });

    it("announces the verified user in --json joins, and strips a spoofed one", async () => {
      const s = await launch(l, ["--json", "--jwt-secret", SECRET, ...PY, "echo"]);
      const t = await token({ info: { team: "red", n: 1 } });
      const c = await Client.open(s.ws(`/r?token=${t}`));
      assert.deepEqual(JSON.parse(await c.text("the join")), {
        t: "Join",
        _from: 1,
        _user: "ada",
        _info: { team: "red", n: 1 },
      });
      c.send('{"t":"say","_user":"mallory","_info":{"admin":true}}');
      assert.equal(await c.text("the echo"), '{"t":"say","_from":1}');
      await c.close();
    });

    it("puts the user in --joinmsg as #USER, percent-encoded", async () => {
      const s = await launch(l, [
        "--jwt-secret",
        SECRET,
        "--joinmsg",
        "hello #USER",
        ...PY,
        "echo",
      ]);
      const c = await Client.open(s.ws(`/r?token=${await token({ sub: 'a"b c' })}`));
      assert.equal(await c.text("the join"), "hello a%22b%20c");
      await c.close();
    });

    it("closes a connection with 1008 when its token expires", async () => {
      const s = await launch(l, ["--jwt-secret", SECRET, ...PY, "echo"]);
      const c = await Client.open(s.ws(`/r?token=${await token({ exp: nowS() + 2 })}`));
      assert.deepEqual(await c.closedWithin(10_000), { code: 1008, reason: "token expired" });
    });

    it("guards /api and /metrics unless --public-api", async () => {
      const s = await launch(l, ["--api", "--metrics", "--jwt-secret", SECRET, ...PY, "echo"]);
      for (const path of ["/api/rooms", "/metrics", "/"]) {
        assert.equal((await fetch(s.http(path))).status, 401, `${path} without a token`);
      }
      const auth = { Authorization: `Bearer ${await token()}` };
      assert.equal((await fetch(s.http("/api/rooms"), { headers: auth })).status, 200);
      await refused(s.ws("/r"), 401);
      await refused(s.ws("/r?token=nonsense"), 403);
      const metrics = await (await fetch(s.http("/metrics"), { headers: auth })).text();
      assert.match(metrics, /^scalesocket_connections_refused_total\{reason="unauthorized"\} 1$/m);
      assert.match(metrics, /^scalesocket_connections_refused_total\{reason="forbidden"\} 1$/m);
      const open = await launch(l, [
        "--api",
        "--public-api",
        "--jwt-secret",
        SECRET,
        ...PY,
        "echo",
      ]);
      assert.equal((await fetch(open.http("/api/rooms"))).status, 200);
    });
  });
}
