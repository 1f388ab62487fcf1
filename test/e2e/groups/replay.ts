// S5 end to end, part two: gwsocket framing and the --cache replay.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { alive, launch, type Launcher, PY, type Running, waitFor } from "../harness.ts";
import { Client } from "../client.ts";
import { fresh, identified, joined, say } from "./framing-util.ts";

export function replayTests(l: Launcher): void {
  describe("gwsocket framing and history replay", () => {
    let gw: Running;
    let last3: Running;
    let tagged: Running;
    let routed: Running;
    let persist: Running;
    // All at once: starting a server is most of this group's time.
    before(async () => {
      [gw, last3, tagged, routed, persist] = await Promise.all([
        launch(l, ["--frame=gwsocket", ...PY, "gwsocket"]),
        launch(l, ["--cache=3", ...PY, "query"]),
        launch(l, ["--cache=tagged:5", "cat"]),
        launch(l, ["--json", "--cache=10", ...PY, "game"]),
        launch(l, ["--cache=3", "--cachepersist", ...PY, "query"]),
      ]);
    });
    after(() => Promise.all([gw, last3, tagged, routed, persist].map((s) => s.stop())));

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
