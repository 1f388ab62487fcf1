// S5 end to end: connection ids, JSON framing and routing, join/leave templates.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { launch, type Launcher, PY, type Running } from "../harness.ts";
import { Client } from "../client.ts";
import { chatter, fresh, identified, join, joined, leave, say } from "./framing-util.ts";

export function framingTests(l: Launcher): void {
  describe("framing, routing and identity", () => {
    let chat: Running;
    let ids: Running;
    let game: Running;
    let templates: Running;
    // All at once: starting a server is most of this group's time.
    before(async () => {
      [chat, ids, game, templates] = await Promise.all([
        launch(l, ["--json", "cat"]),
        launch(l, ["--json", "cat"]),
        launch(l, ["--json", ...PY, "game"]),
        launch(l, [
          "--joinmsg=join #ID #ROOM #REMOTE_ADDR #QUERY_STRING #QUERY_name",
          "--leavemsg=leave #ID #QUERY_name",
          "cat",
        ]),
      ]);
    });
    after(() => Promise.all([chat, ids, game, templates].map((s) => s.stop())));

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
        // b sent no ?name=, so #QUERY_name stays as written, as ScaleSocket leaves it.
        assert.deepEqual(await a.texts(2), ["last", `leave ${idB} #QUERY_name`]);
        await Promise.all([closed, a.close()]);
      });
    });
  });
}
