// S5 end to end: connection ids, JSON framing and routing, join/leave templates, cache, gwsocket.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { alive, launch, type Launcher, PY, type Running, waitFor } from "../harness.ts";
import { Client } from "../client.ts";

const join = (id: number) => `{"t":"Join","_from":${id}}`;
const leave = (id: number) => `{"t":"Leave","_from":${id}}`;
const joined = (id: number) => `{"t":"joined","id":${id}}`;

/** A fresh room path, so no test sees another's clients or history. */
let rooms = 0;
const fresh = (name: string, query = "") => `/${name}-${++rooms}${query}`;

/** Opens a client and reads its id from the first message, which must match re (group 1). */
async function identified(
  url: string,
  re: RegExp,
  what: string,
): Promise<[Client, number, string]> {
  const c = await Client.open(url);
  const first = await c.text(what);
  const m = first.match(re);
  assert.ok(m, `expected ${what} matching ${re}, got ${JSON.stringify(first)}`);
  return [c, Number(m[1]), first];
}

/** A client of `--json cat`: cat echoes its join first, which says its id. */
const chatter = (url: string) =>
  identified(url, /^\{"t":"Join","_from":(\d+)\}$/, "its own join echoed");

/** Sends `--json` game player lines for the child to print verbatim. */
const say = (c: Client, ...lines: string[]) => c.send(JSON.stringify({ t: "say", lines }));

export function framingTests(l: Launcher): void {
  describe("framing, routing and identity", () => {
    let chat: Running;
    let ids: Running;
    let game: Running;
    let templates: Running;
    let gw: Running;
    let last3: Running;
    let tagged: Running;
    let routed: Running;
    let persist: Running;
    // All at once: starting a server is most of this group's time.
    before(async () => {
      [chat, ids, game, templates, gw, last3, tagged, routed, persist] = await Promise.all([
        launch(l, ["--json", "cat"]),
        launch(l, ["--json", "cat"]),
        launch(l, ["--json", ...PY, "game"]),
        launch(l, [
          "--joinmsg=join #ID #ROOM #REMOTE_ADDR #QUERY_STRING #QUERY_name",
          "--leavemsg=leave #ID #QUERY_name",
          "cat",
        ]),
        launch(l, ["--frame=gwsocket", ...PY, "gwsocket"]),
        launch(l, ["--cache=3", ...PY, "query"]),
        launch(l, ["--cache=tagged:5", "cat"]),
        launch(l, ["--json", "--cache=10", ...PY, "game"]),
        launch(l, ["--cache=3", "--cachepersist", ...PY, "query"]),
      ]);
    });
    after(() =>
      Promise.all(
        [chat, ids, game, templates, gw, last3, tagged, routed, persist].map((s) => s.stop()),
      )
    );

    it("--json relays chat with each sender's id in _from, and the joins and leaves cat echoes", async () => {
      const path = fresh("chat");
      const [a, idA] = await chatter(chat.ws(path));
      const [b, idB] = await chatter(chat.ws(path));
      assert.notEqual(idA, idB, "two clients got the same id");
      assert.equal(await a.text("b's join, on a"), join(idB));
      a.send('{"msg":"hi"}');
      assert.equal(await a.text("a's message, on a"), `{"msg":"hi","_from":${idA}}`);
      assert.equal(await b.text("a's message, on b"), `{"msg":"hi","_from":${idA}}`);
      b.send('{"msg":"hey"}');
      assert.equal(await a.text("b's message, on a"), `{"msg":"hey","_from":${idB}}`);
      assert.equal(await b.text("b's message, on b"), `{"msg":"hey","_from":${idB}}`);
      await b.close();
      assert.equal(await a.text("b's leave, on a"), leave(idB));
      await a.close();
    });

    it("numbers connections 1, 2, 3 … across the server's rooms and never reuses an id", async () => {
      // `ids` serves this test only: its first connection is this test's first.
      const a = await Client.open(ids.ws("/ids-a"));
      assert.equal(await a.text("the first client's join"), join(1));
      const b = await Client.open(ids.ws("/ids-a"));
      assert.equal(await b.text("the second client's join"), join(2));
      assert.equal(await a.text("the second client's join, on the first"), join(2));
      await b.close();
      assert.equal(await a.text("the second client's leave"), leave(2));
      const c = await Client.open(ids.ws("/ids-b"));
      assert.equal(await c.text("a third client's join, in another room"), join(3));
      await a.close();
      const d = await Client.open(ids.ws("/ids-a"));
      assert.equal(await d.text("a fourth client's join, in a new child"), join(4));
      await Promise.all([c.close(), d.close()]);
    });

    it("--json replaces a _from the client sent, so nobody can claim another's id", async () => {
      const [c, id] = await chatter(chat.ws(fresh("spoof")));
      c.send('{"_from":1,"text":"I am 1"}');
      assert.equal(await c.text("the spoofed message"), `{"text":"I am 1","_from":${id}}`);
      c.send('{"a":1,"_from":"x","b":{"_from":7}}');
      assert.equal(
        await c.text("a message with a nested _from"),
        `{"a":1,"b":{"_from":7},"_from":${id}}`,
        "only the top-level _from is the sender's",
      );
      await c.close();
    });

    it("--json passes big numbers, key order and string escapes to the child byte for byte", async () => {
      const [c, id] = await chatter(chat.ws(fresh("exact")));
      const sent = String.raw`{"z":12345678901234567890,"a":1.5e300,"m":-0.0,"one":1.0,` +
        String.raw`"s":"q\"\\\/\u00e9\n\t😀","x":[{"b":2,"a":1},1e-7]}`;
      c.send(sent);
      assert.equal(await c.text("the echo"), `${sent.slice(0, -1)},"_from":${id}}`);
      await c.close();
    });

    it("--json drops a message that is not a JSON object and keeps its sender connected", async () => {
      const [c, id] = await chatter(chat.ws(fresh("drop")));
      for (const bad of ["hello", "[1]", '"s"', "{bad", "42", "null", '{"a":1}x']) c.send(bad);
      c.send('{"ok":true}');
      // cat answers in order: anything let through would come back before this.
      assert.equal(await c.text("the first valid message"), `{"ok":true,"_from":${id}}`);
      c.send('{"still":"here"}');
      assert.equal(await c.text("a message after that"), `{"still":"here","_from":${id}}`);
      await c.close();
    });

    describe("a --json child's output", () => {
      /** A game player: its state (sent to it alone) says its id, then its joined line. */
      async function player(path: string): Promise<[Client, number]> {
        const [c, id] = await identified(
          game.ws(path),
          /^\{"_to":(\d+),"state":\{"you":\1,"players":\[[\d,]*\]\}\}$/,
          "its own state",
        );
        assert.equal(await c.text("its own joined line"), joined(id));
        return [c, id];
      }
      /** n players of one fresh room, each having seen the others' joined lines. */
      async function players(n: number): Promise<[Client, number][]> {
        const path = fresh("game");
        const all: [Client, number][] = [];
        for (let i = 0; i < n; i++) {
          const p = await player(path);
          for (const [c] of all) assert.equal(await c.text("a later joiner"), joined(p[1]));
          all.push(p);
        }
        return all;
      }
      const closeAll = (ps: [Client, number][]) => Promise.all(ps.map(([c]) => c.close()));

      it("answers a join to the joiner alone, _to kept, and broadcasts who joined", async () => {
        const path = fresh("game");
        const [a, idA] = await player(path);
        const b = await Client.open(game.ws(path));
        const state = await b.text("b's own state");
        const idB = Number(state.match(/"you":(\d+)/)?.[1]);
        assert.equal(state, `{"_to":${idB},"state":{"you":${idB},"players":[${idA},${idB}]}}`);
        assert.equal(await b.text("b's joined line"), joined(idB));
        assert.equal(await a.text("b's joined line, on a, and not b's state"), joined(idB));
        await closeAll([[a, idA], [b, idB]]);
      });

      it("broadcasts a line without _to to every client", async () => {
        const ps = await players(2);
        ps[0][0].send('{"t":"move","move":"e4"}');
        for (const [c] of ps) {
          assert.equal(await c.text("the move"), `{"t":"moved","by":${ps[0][1]},"move":"e4"}`);
        }
        await closeAll(ps);
      });

      it("sends a line whose _to is a list to those clients only", async () => {
        const [[a, idA], [b, idB], [c, idC]] = await players(3);
        a.send(JSON.stringify({ t: "whisper", to: [idA, idC], text: "psst" }));
        const whisper = `{"_to":[${idA},${idC}],"t":"whisper","by":${idA},"text":"psst"}`;
        assert.equal(await a.text("the whisper, on a"), whisper);
        assert.equal(await c.text("the whisper, on c"), whisper);
        b.send('{"t":"move","move":"d4"}');
        const move = `{"t":"moved","by":${idB},"move":"d4"}`;
        assert.equal(await b.text("b's move, and not the whisper"), move);
        for (const x of [a, c]) assert.equal(await x.text("b's move"), move);
        await closeAll([[a, idA], [b, idB], [c, idC]]);
      });

      it("delivers a line addressed to unknown ids or to [] to nobody, and _to null to all", async () => {
        const ps = await players(2);
        say(ps[0][0], '{"_to":999999,"t":"lost"}', '{"_to":[999998],"t":"lost"}', '{"_to":[]}');
        say(ps[0][0], '{"_to":null,"t":"everyone"}');
        for (const [c] of ps) {
          assert.equal(await c.text("the line for everyone"), '{"_to":null,"t":"everyone"}');
        }
        await closeAll(ps);
      });

      it("delivers no _meta: true line to anyone", async () => {
        const ps = await players(2);
        say(ps[0][0], '{"_meta":true,"players":2}', '{"_meta":false,"t":"not meta"}');
        for (const [c] of ps) {
          assert.equal(
            await c.text("the line after the metadata"),
            '{"_meta":false,"t":"not meta"}',
          );
        }
        await closeAll(ps);
      });

      it("broadcasts lines that are not JSON objects unchanged", async () => {
        const ps = await players(2);
        const lines = ["plain text", "[1,2]", '"a string"', "{not json", '{"_to":1,', "", "1e999"];
        say(ps[0][0], ...lines);
        for (const [c] of ps) assert.deepEqual(await c.texts(lines.length), lines);
        await closeAll(ps);
      });
    });

    describe("--joinmsg and --leavemsg", () => {
      /** A client whose first message is its join line; the id is read from it. */
      const joiner = (url: string) => identified(url, /^join (\d+) /, "its join line");

      it("replace #ID, #ROOM, #REMOTE_ADDR, #QUERY_STRING and #QUERY_name", async () => {
        const path = fresh("a room", "?name=bob&x=1");
        const room = encodeURIComponent(decodeURIComponent(path.slice(1, path.indexOf("?"))));
        const [a, idA, first] = await joiner(templates.ws(path));
        assert.equal(first, `join ${idA} ${room} 127.0.0.1 name=bob&x=1 bob`);
        const [b, idB] = await joiner(templates.ws(`${path.slice(0, path.indexOf("?"))}?name=eve`));
        assert.equal(
          await a.text("b's join line, on a"),
          `join ${idB} ${room} 127.0.0.1 name=eve eve`,
        );
        await b.close();
        assert.equal(await a.text("b's leave line"), `leave ${idB} eve`);
        await a.close();
      });

      it("percent-encode query values, so quotes, newlines and #ID cannot inject anything", async () => {
        const query = `?name=${encodeURIComponent('"x\n#ID')}`;
        const [c, id, first] = await joiner(templates.ws(fresh("inject", query)));
        assert.match(first, new RegExp(`^join ${id} inject-\\d+ 127\\.0\\.0\\.1 `));
        assert.ok(
          first.endsWith(" name=%22x%0A%23ID %22x%0A%23ID"),
          `the query string and value are not percent-encoded in ${JSON.stringify(first)}`,
        );
        // One line: the next message is the client's own, not the rest of a broken join.
        c.send("next");
        assert.equal(await c.text("the client's message after its join"), "next");
        await c.close();
      });

      it("write the join before the client's first message and the leave after its last", async () => {
        const path = fresh("order");
        const [a] = await joiner(templates.ws(path));
        const b = await Client.open(templates.ws(path));
        b.send("first");
        const [joinB, firstB] = await a.texts(2);
        const idB = Number(joinB.match(/^join (\d+) /)?.[1]);
        assert.match(joinB, /^join \d+ /, "b's join did not come before its first message");
        assert.equal(firstB, "first");
        b.send("last");
        const closed = b.close();
        assert.deepEqual(await a.texts(2), ["last", `leave ${idB} `]);
        await Promise.all([closed, a.close()]);
      });
    });

    describe("gwsocket framing", () => {
      /** A client whose first message is the child's "joined ID IP"; the id is read from it. */
      const gwClient = (path: string) =>
        identified(gw.ws(path), /^joined (\d+) 127\.0\.0\.1$/, "its own joined frame");

      it("tells the child of each client with an open frame carrying its IP; id 0 reaches all", async () => {
        const path = fresh("gw");
        const [a] = await gwClient(path);
        const [b, idB] = await gwClient(path);
        assert.equal(await a.text("b's joined frame, on a"), `joined ${idB} 127.0.0.1`);
        await b.close();
        assert.equal(await a.text("b's close frame, announced"), `left ${idB}`);
        await a.close();
      });

      it("delivers a frame addressed to a client to that client only", async () => {
        const path = fresh("gw");
        const [a] = await gwClient(path);
        const [b, idB] = await gwClient(path);
        assert.equal(await a.text("b's joined frame, on a"), `joined ${idB} 127.0.0.1`);
        a.send("for a\nonly, one frame");
        assert.equal(await a.text("a's echo"), "for a\nonly, one frame");
        b.send("for b");
        assert.equal(await b.text("b's echo, and not a's"), "for b");
        await Promise.all([a.close(), b.close()]);
      });

      it("reports and skips a frame of unknown type, delivers the next, and keeps the room", async () => {
        const path = fresh("gw");
        const [a] = await gwClient(path);
        const [b, idB] = await gwClient(path);
        assert.equal(await a.text("b's joined frame, on a"), `joined ${idB} 127.0.0.1`);
        a.send("bad");
        assert.equal(await a.text("the frame after the bad one, on a"), "recovered");
        assert.equal(await b.text("the frame after the bad one, on b"), "recovered");
        await gw.waitForLog(/bad gwsocket frame has unknown type 0x7\b/);
        a.send("still here");
        assert.equal(await a.text("a's echo after the bad frame"), "still here");
        await Promise.all([a.close(), b.close()]);
      });

      it("passes a binary message to the child as a type 0x02 frame with its exact bytes", async () => {
        const [c] = await gwClient(fresh("gw"));
        c.send(Buffer.from([0x00, 0x01, 0x0a, 0x0d, 0xff, 0x80]));
        assert.equal(await c.text("the child's report of the binary frame"), "binary 00010a0dff80");
        await c.close();
      });
    });

    describe("--cache", () => {
      /** Sends each line and waits for its echo, so all of them are output before we go on. */
      async function echoed(c: Client, lines: string[]): Promise<void> {
        for (const line of lines) c.send(line);
        assert.deepEqual(await c.texts(lines.length), lines);
      }

      it("=3 replays the last 3 lines to a late joiner, in order, then live output", async () => {
        const path = fresh("late", "?mode=echo");
        const a = await Client.open(last3.ws(path));
        await echoed(a, ["1", "2", "3", "4", "5"]);
        const b = await Client.open(last3.ws(path));
        b.send("live");
        assert.deepEqual(await b.texts(4), ["3", "4", "5", "live"]);
        assert.equal(await a.text("the live line, on a"), "live");
        await Promise.all([a.close(), b.close()]);
      });

      it('=tagged:5 replays only the last 5 lines tagged "_cache": true', async () => {
        const path = fresh("tagged");
        const a = await Client.open(tagged.ws(path));
        const tag = (n: number) => `{"n":${n},"_cache":true}`;
        await echoed(a, [tag(1), "untagged", '{"_cache":false}', '{"_cache":"true"}']);
        await echoed(a, [tag(2), tag(3), '{"n":0}', tag(4), tag(5), "[true]", tag(6)]);
        const b = await Client.open(tagged.ws(path));
        b.send("live");
        assert.deepEqual(await b.texts(6), [tag(2), tag(3), tag(4), tag(5), tag(6), "live"]);
        await Promise.all([a.close(), b.close()]);
      });

      it("with --json replays broadcast lines but not lines routed _to earlier clients", async () => {
        // A new client always has a new id, so no line routed before it came is addressed to it.
        const path = fresh("routed");
        const a = await Client.open(routed.ws(path));
        const state = await a.text("a's own state");
        const idA = Number(state.match(/"you":(\d+)/)?.[1]);
        assert.equal(await a.text("a's joined line"), joined(idA));
        a.send(JSON.stringify({ t: "whisper", to: [idA], text: "secret" }));
        say(a, '{"_meta":true,"kept":false}');
        a.send('{"t":"move","move":"e4"}');
        const move = `{"t":"moved","by":${idA},"move":"e4"}`;
        assert.match(await a.text("a's whisper"), /"secret"/);
        assert.equal(await a.text("a's move"), move);
        const b = await Client.open(routed.ws(path));
        const replayed = await b.texts(3);
        assert.deepEqual(replayed.slice(0, 2), [joined(idA), move], "b's replay is wrong");
        assert.match(replayed[2], /^\{"_to":(\d+),"state":/, "b's own state came after the replay");
        await Promise.all([a.close(), b.close()]);
      });

      for (const keep of [true, false]) {
        const title = keep
          ? "--cachepersist replays a room's history after its child ended"
          : "without --cachepersist a room's history ends with its child";
        it(title, async () => {
          const s = keep ? persist : last3;
          const path = fresh("persist", "?mode=pid");
          const a = await Client.open(s.ws(path));
          const pid = await a.text("the first child's pid");
          a.send("one");
          assert.equal(await a.text("the echo of one"), `${pid} one`);
          await a.close();
          await waitFor(() => !alive(Number(pid)), `the first child ${pid} to end`);
          const b = await Client.open(s.ws(path));
          const got = await b.texts(keep ? 3 : 1);
          assert.deepEqual(got.slice(0, -1), keep ? [pid, `${pid} one`] : []);
          assert.match(got.at(-1)!, /^\d+$/, "the new child's pid is not where expected");
          assert.notEqual(got.at(-1), pid, "the room kept its first child");
          await b.close();
        });
      }
    });
  });
}
