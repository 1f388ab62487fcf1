// S3 under churn: many rooms coming and going, children that crash, exit mid-line, ignore
// signals or fork grandchildren. Afterwards: no child, no zombie, no orphan, no leaked file
// descriptor, and memory back near where it started.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { launch, type Launcher, PY, type Running, waitFor } from "../../e2e/harness.ts";
import { Client } from "../../e2e/client.ts";
import { allGone, childrenOf, fdCount, fdKinds, noChildren, rssMiB } from "../proc.ts";
import { Bystander, stopWithin } from "../common.ts";

/** Descriptors a server may hold on to after churn (timers, a lazily opened file, …). */
const FD_SLACK = 8;
/** MiB of RSS a server may keep after churn: the heap does not give everything back. */
const RSS_SLACK = 60;

let rooms = 0;
function room(mode: string, ...args: (string | number)[]): string {
  const q = new URLSearchParams([["mode", mode], ...args.map((a) => ["arg", String(a)])]);
  return `/hy-${++rooms}?${q}`;
}

/** Runs `count` jobs, `width` at a time; a job learns its number and its worker's. */
async function pool(
  count: number,
  width: number,
  job: (i: number, worker: number) => Promise<void>,
) {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async (_, worker) => {
    while (next < count) await job(next++, worker);
  }));
}

/** One client's life: join, one echo, leave. */
async function cycle(s: Running, path: string, msg: string): Promise<void> {
  const c = await Client.open(s.ws(path));
  c.send(msg);
  assert.equal(await c.text(`the echo in ${path}`), msg);
  await c.close();
}

/** Waits for the descriptor count to come back to base + slack; fails listing what is open. */
async function fdsSettle(pid: number, base: number, what: string, ms = 10_000): Promise<number> {
  await waitFor(() => fdCount(pid) <= base + FD_SLACK, what, ms).catch(() => {
    throw new Error(
      `${what}: ${fdCount(pid)} descriptors open, ${base} before: ${JSON.stringify(fdKinds(pid))}`,
    );
  });
  return fdCount(pid);
}

export function hygieneTests(l: Launcher): void {
  describe("process hygiene under churn", () => {
    it("400 join/echo/leave cycles over 40 rooms leave no child and no leak", async (t) => {
      const s = await launch(l, ["cat"]);
      try {
        // A room per worker at a time: `cat` echoes to the whole room, so rooms are not shared.
        await pool(20, 4, (i, w) => cycle(s, `/warm-${w}-${i % 5}`, `warm ${i}`));
        await noChildren(s.pid);
        const fds = fdCount(s.pid);
        const rss = rssMiB(s.pid);
        const began = Date.now();
        await pool(400, 8, (i, w) => cycle(s, `/churn-${w}-${i % 5}`, `cycle ${i}`));
        const ms = Date.now() - began;
        await noChildren(s.pid);
        const fdsAfter = await fdsSettle(s.pid, fds, "descriptors after churn");
        const rssAfter = rssMiB(s.pid);
        t.diagnostic(
          `${l.name}: 400 cycles in ${ms} ms (${(400_000 / ms).toFixed(0)}/s); fds ${fds} → ` +
            `${fdsAfter}; RSS ${rss.toFixed(0)} → ${rssAfter.toFixed(0)} MiB`,
        );
        assert.ok(rssAfter - rss < RSS_SLACK, `RSS ${rss.toFixed(0)} → ${rssAfter.toFixed(0)} MiB`);
      } finally {
        await stopWithin(s);
      }
    });

    describe("children that misbehave", () => {
      let s: Running;
      let by: Bystander;
      let fds = 0;
      let rss = 0;
      before(async () => {
        s = await launch(l, [...PY, "query"]);
        by = await Bystander.join(s, room("echo"));
        await by.roundTrip("the start");
        fds = fdCount(s.pid);
        rss = rssMiB(s.pid);
      });
      after(async () => {
        await by?.close();
        await stopWithin(s);
      });

      it("20 children that crash at start each close their client with 1011 and the code", async () => {
        await pool(20, 10, async () => {
          const c = await Client.open(s.ws(room("exit", 3)));
          const e = await c.closedWithin();
          assert.deepEqual(e, { code: 1011, reason: "process exited with code 3" });
        });
        await by.roundTrip("20 crashes");
      });

      it("20 children that exit in the middle of a line deliver the part, then 1011", async () => {
        await pool(20, 10, async () => {
          const c = await Client.open(s.ws(room("write", "whole\\npart", 5)));
          assert.deepEqual(await c.texts(2), ["whole", "part"]);
          assert.deepEqual(await c.closedWithin(), {
            code: 1011,
            reason: "process exited with code 5",
          });
        });
        await by.roundTrip("20 exits mid-line");
      });

      it("10 children killed by SIGSEGV close their clients with 1011 naming the signal", async () => {
        await pool(10, 5, async () => {
          const c = await Client.open(s.ws(room("kill-self", "SIGSEGV")));
          assert.deepEqual(await c.closedWithin(), { code: 1011, reason: "killed by SIGSEGV" });
        });
      });

      it("5 trees ignoring SIGINT and SIGTERM are killed whole when their client leaves", async () => {
        const pids: number[] = [];
        await pool(5, 5, async () => {
          const c = await Client.open(s.ws(room("tree", 3, "stubborn")));
          pids.push(...(await c.text("the tree's pids")).split(" ").map(Number));
          await c.close();
        });
        assert.equal(pids.length, 20);
        // close stdin, INT (+100 ms), TERM (+250 ms), KILL (+500 ms): well within 5 s.
        await allGone(pids, "stubborn children and grandchildren", 5_000);
        await by.roundTrip("stubborn trees");
      });

      it("5 children that exit at once, leaving grandchildren on stdout, end their rooms", async () => {
        const pids: number[] = [];
        await pool(5, 5, async () => {
          const c = await Client.open(s.ws(room("tree", 2, "exit")));
          pids.push(...(await c.text("the tree's pids")).split(" ").map(Number));
          // The grandchildren hold stdout open: the room ends only because the group is ended.
          assert.equal((await c.closedWithin(5_000)).code, 1000);
        });
        await allGone(pids, "grandchildren of children that exited", 5_000);
      });

      it("afterwards: only the bystander's child, no zombie, no leaked descriptor", async () => {
        await waitFor(() => childrenOf(s.pid).length === 1, "only the bystander's child left");
        const kids = childrenOf(s.pid);
        assert.ok(!kids.some((k) => k.stat.startsWith("Z")), `a zombie: ${JSON.stringify(kids)}`);
        await fdsSettle(s.pid, fds, "descriptors after misbehaving children");
        const now = rssMiB(s.pid);
        assert.ok(now - rss < RSS_SLACK, `RSS ${rss.toFixed(0)} → ${now.toFixed(0)} MiB`);
        await by.roundTrip("every misbehaving child");
      });
    });

    it("30 children that exit on their own leave no descriptor behind", async (t) => {
      // Was a BUG (Deno, in the Deno.Command runtime since replaced by src/runtime/node.ts on both
      // runtimes, see docs/decisions.md): each such room left one pipe open (the
      // child's stdin), released only if and when V8's garbage collector finalized it: a quiet
      // server kept them (50 exits: 24 → 74 descriptors, unchanged 12 s later). wrapChild
      // closed its stdin writer only in closeStdin(), which only the termination table calls.
      // A server whose programs end on their own (--perconnection scripts, crashes) could run
      // out of descriptors.
      const s = await launch(l, [...PY, "query"]);
      try {
        await cycle(s, room("echo"), "warm");
        await noChildren(s.pid);
        const base = fdCount(s.pid);
        for (let i = 0; i < 30; i++) {
          const c = await Client.open(s.ws(room("exit", 0)));
          assert.equal((await c.closedWithin()).code, 1000);
        }
        await noChildren(s.pid);
        t.diagnostic(
          `${l.name}: fds ${base} → ${fdCount(s.pid)} ${JSON.stringify(fdKinds(s.pid))}`,
        );
        await fdsSettle(s.pid, base, "descriptors after 30 children exited on their own", 2_000);
      } finally {
        await stopWithin(s);
      }
    });

    it("50 spawns that fail leave no descriptor behind and the server up", async () => {
      const s = await launch(l, ["/nonexistent/program"]);
      try {
        const first = await Client.open(s.ws("/first"));
        assert.equal((await first.closedWithin()).code, 1011);
        const fds = fdCount(s.pid);
        await pool(50, 10, async (i) => {
          const c = await Client.open(s.ws(`/nospawn-${i}`));
          const e = await c.closedWithin();
          assert.equal(e.code, 1011);
          assert.match(e.reason, /nonexistent/);
        });
        await fdsSettle(s.pid, fds, "descriptors after failed spawns");
        assert.equal(
          (await fetch(s.http("/health"), { signal: AbortSignal.timeout(5_000) })).status,
          200,
        );
      } finally {
        await stopWithin(s);
      }
    });
  });
}
