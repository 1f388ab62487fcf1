// `npm run test:soak`: the heavy half of the hostile suite (S10), on Node and on Deno in turn.
// 5,000 connections held for a minute with traffic, 5,000 join/leave cycles, and 2,000 rooms
// whose children exit on their own. Numbers go to the test output and to
// test-results/soak.json; docs/security.md quotes them. The npm script raises the descriptor
// limit first (each connection is one descriptor in the server and one here).
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { launch, LAUNCHERS, PY, ROOT, stopAll } from "../e2e/harness.ts";
import { Client } from "../e2e/client.ts";
import { childrenOf, fdCount, rssMiB } from "../hostile/proc.ts";
import { stopWithin } from "../hostile/common.ts";
import { churn, holdConnections } from "./load.ts";

const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 5_000);
const HOLD_MS = Number(process.env.SOAK_HOLD_MS ?? 60_000);
const CYCLES = Number(process.env.SOAK_CYCLES ?? 5_000);
const EXITS = Number(process.env.SOAK_EXITS ?? 2_000);
/** More than 1 repeats the hold on the same server, to tell a leak from a high-water mark. */
const HOLD_ROUNDS = Number(process.env.SOAK_HOLD_ROUNDS ?? 1);

const results: Record<string, unknown> = {};
after(async () => {
  await stopAll();
  mkdirSync(`${ROOT}test-results`, { recursive: true });
  writeFileSync(`${ROOT}test-results/soak.json`, JSON.stringify(results, null, 2) + "\n");
});

for (const l of [LAUNCHERS.node, LAUNCHERS.deno]) {
  describe(`soak on ${l.name}`, () => {
    it(`holds ${CONNECTIONS} connections for ${HOLD_MS / 1000} s with traffic`, async (t) => {
      const s = await launch(l, ["cat"]);
      try {
        for (let round = 1; round <= HOLD_ROUNDS; round++) {
          const r = await holdConnections(s, {
            connections: CONNECTIONS,
            rooms: 100,
            holdMs: HOLD_MS,
            sendEveryMs: 10_000,
            openWidth: 50,
          });
          results[`${l.name} hold${HOLD_ROUNDS > 1 ? ` ${round}` : ""}`] = r;
          t.diagnostic(JSON.stringify(r));
          assert.equal(r.connectErrors, 0, "connections refused or failed");
          assert.equal(r.connections, CONNECTIONS);
          assert.equal(r.unexpectedCloses, 0, "clients closed by the server during the hold");
          assert.equal(r.missing, 0, "messages a client of the room did not get");
          assert.equal(r.childrenAfter, 0, "children left after every client left");
          assert.ok(r.fdsAfter <= r.fdsIdle + 10, `descriptors ${r.fdsIdle} → ${r.fdsAfter}`);
        }
      } finally {
        await stopWithin(s);
      }
    });

    it(`${CYCLES} join/echo/leave cycles leave no child and no descriptor`, async (t) => {
      const s = await launch(l, ["cat"]);
      try {
        const r = await churn(s, CYCLES, 16, 10);
        results[`${l.name} churn`] = r;
        t.diagnostic(JSON.stringify(r));
        assert.equal(r.errors, 0);
        assert.equal(r.childrenAfter, 0);
        assert.ok(r.fdsAfter <= r.fdsBefore + 10, `descriptors ${r.fdsBefore} → ${r.fdsAfter}`);
      } finally {
        await stopWithin(s);
      }
    });

    it(`${EXITS} rooms whose children exit on their own leave no descriptor`, async (t) => {
      const s = await launch(l, [...PY, "query"]);
      try {
        const fdsBefore = fdCount(s.pid);
        const rssBefore = rssMiB(s.pid);
        const began = Date.now();
        let next = 0;
        let errors = 0;
        await Promise.all(Array.from({ length: 8 }, async () => {
          while (next < EXITS) {
            const i = next++;
            const code = i % 3; // 0, 1 and 2: clean exits and failures
            try {
              const c = await Client.open(s.ws(`/exit-${i}?mode=exit&arg=${code}`));
              const e = await c.closedWithin(10_000);
              if (e.code !== (code === 0 ? 1000 : 1011)) errors++;
            } catch {
              errors++;
            }
          }
        }));
        const deadline = Date.now() + 30_000;
        while (childrenOf(s.pid).length > 0 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 200));
        }
        const r = {
          rooms: EXITS,
          ms: Date.now() - began,
          errors,
          fdsBefore,
          fdsAfter: fdCount(s.pid),
          rssBefore: Math.round(rssBefore),
          rssAfter: Math.round(rssMiB(s.pid)),
        };
        results[`${l.name} exits`] = r;
        t.diagnostic(JSON.stringify(r));
        assert.equal(errors, 0);
        // Deno failed here while its former Deno.Command runtime kept a self-exited child's stdin open
        // (2,000 exits: 24 → 148 descriptors; test/hostile/groups/hygiene.ts has the details).
        assert.ok(r.fdsAfter <= fdsBefore + 10, `descriptors ${fdsBefore} → ${r.fdsAfter}`);
      } finally {
        await stopWithin(s);
      }
    });
  });
}
