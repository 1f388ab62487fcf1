// S3, S5 and S11 against a hostile client: room names and headers that try to reach a shell or
// the child's environment, spoofed ids, look-alike origins. test/e2e/groups/rooms.ts, child.ts
// and websocketd-net.ts hold the plain cases; these are the rest.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { launch, type Launcher, PY, ROOT, type Running } from "../../e2e/harness.ts";
import { Client, refusal } from "../../e2e/client.ts";
import { handshakeRequest, RawConn } from "../raw.ts";
import { stopWithin } from "../common.ts";
import { topLevelKeys } from "../../unit/ref-json.ts";

/** The child's environment (fixture mode env) for a handshake sent exactly as written. */
async function envFor(port: number, request: string): Promise<Record<string, string>> {
  const c = await RawConn.open(port);
  c.write(request);
  try {
    const head = await c.response(5_000);
    assert.equal(head.status, 101, `${request.split("\r\n")[0]}: ${head.text}`);
    return JSON.parse((await c.frame()).payload.toString());
  } finally {
    c.destroy();
  }
}

export function injectionTests(l: Launcher): void {
  describe("injection and spoofing", () => {
    describe("room names, headers and queries never reach a shell or the environment", () => {
      let s: Running;
      let basePath: string;
      // Relative, since a room name has no "/": a command that ran would make it in the
      // server's working directory, ROOT.
      const mark = `hostile-pwned-${process.pid}`;
      before(async () => {
        s = await launch(l, [...PY, "env"]);
        basePath = (await envFor(s.port, handshakeRequest(s.port, "/base"))).PATH;
      });
      after(async () => {
        await stopWithin(s);
        rmSync(join(ROOT, mark), { force: true });
      });

      it("a room named with shell metacharacters is ROOM, verbatim, and runs nothing", async () => {
        const names = [
          `$(touch ${mark})`,
          `\`touch ${mark}\``,
          `; touch ${mark}`,
          `| touch ${mark}`,
          `&& touch ${mark} &&`,
          `> ${mark}`,
          "$PATH",
          "'\"\\",
          "*",
          "~root",
          "{a,b}",
          "-rf",
          "--help",
          "#ID #ROOM",
          "\u2028\u2029",
        ];
        for (const name of names) {
          const path = `/${encodeURIComponent(name)}`;
          const env = await envFor(s.port, handshakeRequest(s.port, path));
          assert.equal(env.ROOM, name, `ROOM for ${path}`);
          assert.equal(env.PATH, basePath, `PATH changed by ${path}`);
        }
        assert.ok(!existsSync(join(ROOT, mark)), "a room name ran a shell command");
      });

      it("a room named %2E%2E or %2E is a dot segment: removed, so the root's room", async () => {
        // node-server builds the request URL with the WHATWG parser, which takes %2E%2E for ".."
        // and removes it: the path becomes "/", the default room. (Deno.serve, used before,
        // kept the path as sent and made it room ".."; harmless either way, as a name reaches
        // the child only as ROOM, never as a path.)
        for (const name of ["..", "."]) {
          const path = `/${name.replaceAll(".", "%2E")}`;
          const env = await envFor(s.port, handshakeRequest(s.port, path));
          assert.equal(env.ROOM, "default", path);
        }
      });

      for (const [code, what] of [["%0D", "CR"], ["%09", "tab"], ["%1B", "ESC"], ["%7F", "DEL"]]) {
        it(`a room name with ${what} (${code}) is refused with 400`, async () => {
          assert.equal((await refusal(s.ws(`/a${code}b`))).status, 400);
        });
      }

      it("headers named like variables only ever become HTTP_*; Proxy never HTTP_PROXY", async () => {
        const env = await envFor(
          s.port,
          handshakeRequest(s.port, "/headers", {
            PATH: "/evil",
            LD_PRELOAD: "/evil.so",
            ROOM: "evil",
            HTTPS: "on",
            "Remote-Addr": "6.6.6.6",
            "X-Forwarded-For": "6.6.6.6",
            Query_String: "evil",
            Proxy: "http://127.0.0.1:1",
          }),
        );
        assert.equal(env.PATH, basePath);
        assert.equal(env.LD_PRELOAD, undefined);
        assert.equal(env.ROOM, "headers");
        assert.equal(env.HTTPS, undefined);
        assert.equal(env.REMOTE_ADDR, "127.0.0.1");
        assert.equal(env.QUERY_STRING, "");
        assert.equal(env.HTTP_PROXY, undefined, "httpoxy: Proxy became HTTP_PROXY");
        assert.equal(env.HTTP_PATH, "/evil");
      });

      it("a query cannot set variables and stays percent-encoded in QUERY_STRING", async () => {
        const env = await envFor(
          s.port,
          handshakeRequest(s.port, "/query?a=%0Aevil&PATH=/x&ROOM=y&b=%22%27`$(id)`"),
        );
        assert.equal(env.QUERY_STRING, "a=%0Aevil&PATH=/x&ROOM=y&b=%22%27`$(id)`");
        assert.equal(env.PATH, basePath);
        assert.equal(env.ROOM, "query");
      });

      // Both HTTP stacks refuse these requests whole, so no variable can get a line break.
      for (
        const [what, header] of [
          ["a bare LF that would start a PATH line", "X-Foo: a\nPATH=/evil"],
          ["an obs-fold continuation line", "X-Foo: a\r\n PATH=/evil"],
          ["a bare CR", "X-Foo: a\rPATH=/evil"],
          ["a NUL", "X-Foo: a\0b"],
          ["an ESC", "X-Foo: a\x1b[31mb"],
          ["a header name with a newline", "X-Foo\nPATH: /evil"],
        ]
      ) {
        it(`a header with ${what} is refused with 400`, async () => {
          const c = await RawConn.open(s.port);
          c.write(handshakeRequest(s.port, "/inject").replace("\r\n\r\n", `\r\n${header}\r\n\r\n`));
          const head = await c.response();
          c.destroy();
          assert.equal(head.status, 400);
        });
      }

      it("a header spelled with underscores cannot pose as the dashed one", async () => {
        // Was a BUG (both runtimes, and websocketd too; fixed in src/room/env.ts): X_Forwarded_For
        // and X-Forwarded-For both became HTTP_X_FORWARDED_FOR, joined as "<dashed>,
        // <underscored>" (Fetch's Headers sort "-" before "_"). Behind a proxy that appends the
        // real client to X-Forwarded-For, a client's own X_Forwarded_For landed last, where a
        // child looks for the proxy's entry. Apache (2.4, CGI) and nginx drop such names too.
        const env = await envFor(
          s.port,
          handshakeRequest(s.port, "/xff", {
            "X-Forwarded-For": "6.6.6.6, 10.0.0.1",
            X_Forwarded_For: "1.2.3.4",
          }),
        );
        assert.equal(env.HTTP_X_FORWARDED_FOR, "6.6.6.6, 10.0.0.1");
      });
    });

    describe("--json ids cannot be spoofed", () => {
      let s: Running;
      before(async () => s = await launch(l, ["--json", ...PY, "echo"]));
      after(() => stopWithin(s));

      it("every spelling of _from a client sends is replaced by its own id", async () => {
        const c = await Client.open(s.ws("/spoof"));
        const id = JSON.parse(await c.text("the echoed join"))._from as number;
        const spoofs = [
          '{"_from":1}',
          '{"\\u005ffrom":1}',
          '{"_fr\\u006fm":1,"a":2}',
          '{"_from":1,"_from":2}',
          '{"_from":1,"x":{"_from":3}}',
          '{"__proto__":{"_from":1}}',
          '{\n"_from"\n:\n1\n}',
          '{"a":"\\",\\"_from\\":1,\\"b\\":\\""}',
          '{"_from":{"nested":"}"}}',
          '{"_from":"1\\\\"}',
          '{"\\u005F\\u0066\\u0072\\u006F\\u006D":1}',
        ];
        for (const msg of spoofs) {
          c.send(msg);
          const got = await c.text(`the echo of ${msg}`);
          const froms = topLevelKeys(got).filter((k) => k === "_from");
          assert.equal(froms.length, 1, `${msg} → ${got}: one top-level _from`);
          assert.equal(JSON.parse(got)._from, id, `${msg} → ${got}`);
        }
        // Not objects: dropped, the sender stays.
        for (const msg of ['[{"_from":1}]', '"_from"', '{"_from":1', "_from=1"]) c.send(msg);
        c.send('{"after":true}');
        assert.equal(
          await c.text("the message after the dropped ones"),
          `{"after":true,"_from":${id}}`,
        );
        await c.close();
      });
    });

    describe("--origin against look-alike origins", () => {
      let s: Running;
      before(async () => s = await launch(l, ["--origin", "good.example", ...PY, "echo"]));
      after(() => stopWithin(s));

      const status = async (headers: string) => {
        const c = await RawConn.open(s.port);
        c.write(handshakeRequest(s.port, "/o").replace("\r\n\r\n", `\r\n${headers}\r\n\r\n`));
        const head = await c.response();
        c.destroy();
        return head.status;
      };
      const cases: [string, number][] = [
        ["Origin: http://good.example", 101],
        ["Origin: HTTP://GOOD.EXAMPLE:8080", 101],
        ["Origin: http://good.example.evil.com", 403],
        ["Origin: http://evilgood.example", 403],
        ["Origin: http://good.example@evil.com", 403],
        ["Origin: http://evil.com#good.example", 403],
        ["Origin: http://evil.com/good.example", 403],
        ["Origin: http://evil.com?good.example", 403],
        ["Origin: http://good.example.", 403],
        ["Origin: http://good.example:99999", 403],
        ["Origin: null", 403],
        ["Origin: ", 403],
        ["Origin: good.example", 403],
        ["Origin: http://evil.com\r\nOrigin: http://good.example", 403],
      ];
      for (const [headers, want] of cases) {
        it(`${JSON.stringify(headers)} → ${want}`, async () => {
          assert.equal(await status(headers), want);
        });
      }
    });

    describe("--sameorigin trusts the Host header", () => {
      let s: Running;
      before(async () => s = await launch(l, ["--sameorigin", ...PY, "echo"]));
      after(() => stopWithin(s));

      it("accepts a page whose Origin matches the Host it sent (DNS rebinding: use --origin)", async () => {
        // Documented in docs/security.md: a rebound name sends matching Origin and Host.
        const c = await RawConn.open(s.port);
        c.write(handshakeRequest(s.port, "/o", {
          Host: `evil.example:${s.port}`,
          Origin: `http://evil.example:${s.port}`,
        }));
        assert.equal((await c.response()).status, 101);
        c.destroy();
      });
    });
  });
}
