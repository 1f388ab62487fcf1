// The watchdog as its own process, on Node, Deno and the bundle: deadlines, done, server death.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { build } from "esbuild";
import { alive, ROOT, waitFor } from "../e2e/harness.ts";

const FIXTURE = join(ROOT, "test/cluster/watchdog-fixture.ts");
const DENO = join(ROOT, "node_modules/.bin/deno");
const bundleDir = mkdtempSync(join(tmpdir(), "ss-watchdog-"));
const BUNDLE = join(bundleDir, "fixture.mjs");

const LAUNCHERS: Record<string, string[]> = {
  node: [process.execPath, "--import", "tsx", FIXTURE],
  deno: [DENO, "run", "-A", FIXTURE],
  "bundle on node": [process.execPath, BUNDLE],
  "bundle on deno": [DENO, "run", "-A", BUNDLE],
};

/** Live (non-zombie) processes whose process group is pgid. */
function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(pgrp) === pgid && state !== "Z") members.push(Number(entry));
    } catch {
      // Exited while we looked.
    }
  }
  return members;
}

/** The stand-in server, talking over its stdin and stdout. */
class Server {
  readonly lines: string[] = [];
  #waiters: (() => void)[] = [];
  constructor(readonly proc: ChildProcess) {
    createInterface({ input: proc.stdout! }).on("line", (line) => {
      this.lines.push(line);
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }
  send(line: string): void {
    this.proc.stdin!.write(line + "\n");
  }
  /** The first line starting with prefix after `from`, waiting for it. */
  async next(prefix: string, from = 0): Promise<string> {
    await waitFor(() => this.lines.slice(from).some((l) => l.startsWith(prefix)), prefix, 30_000);
    return this.lines.slice(from).find((l) => l.startsWith(prefix))!.slice(prefix.length);
  }
  async spawnGroup(kind = "plain"): Promise<number> {
    const from = this.lines.length;
    this.send(`spawn ${kind}`);
    const pgid = Number(await this.next("spawned ", from));
    await waitFor(() => groupMembers(pgid).length >= 2, `group ${pgid} to start its sleeps`);
    return pgid;
  }
}

async function gone(pgid: number, ms = 10_000): Promise<void> {
  await waitFor(() => groupMembers(pgid).length === 0, `process group ${pgid} to be gone`, ms);
}

const started: ChildProcess[] = [];
const groups: number[] = [];
after(() => {
  for (const p of started) if (p.exitCode === null) p.kill("SIGKILL");
  for (const g of groups) for (const pid of groupMembers(g)) process.kill(pid, "SIGKILL");
  rmSync(bundleDir, { recursive: true, force: true });
});

before(async () => {
  const banner = [
    'import { createRequire as __ssCreateRequire } from "node:module";',
    "const require = __ssCreateRequire(import.meta.url);",
  ].join("\n");
  await build({
    entryPoints: [FIXTURE],
    outfile: BUNDLE,
    bundle: true,
    format: "esm",
    platform: "node",
    target: ["node20", "deno2"],
    banner: { js: banner },
    logLevel: "warning",
  });
});

for (const [name, command] of Object.entries(LAUNCHERS)) {
  describe(`watchdog on ${name}`, () => {
    let server: Server;
    let watchdogPid = 0;
    before(async () => {
      const proc = spawn(command[0], command.slice(1), { stdio: ["pipe", "pipe", "inherit"] });
      started.push(proc);
      server = new Server(proc);
      watchdogPid = Number(await server.next("ready "));
    });

    test("the watchdog runs in a session of its own, apart from the server's group", () => {
      const session = (pid: number) => {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[3];
      };
      assert.equal(session(watchdogPid), String(watchdogPid), "the watchdog leads its session");
      assert.notEqual(session(watchdogPid), session(server.proc.pid!));
    });

    test("a group that ignores SIGTERM is killed at its hard deadline", async () => {
      const pgid = await server.spawnGroup("ignore-term");
      groups.push(pgid);
      const from = server.lines.length;
      const armed = performance.now();
      server.send(`arm ${pgid} 100 400`);
      await gone(pgid);
      const lived = performance.now() - armed;
      assert.ok(lived >= 400, `the group died after ${lived} ms, before its hard deadline`);
      await server.next(`event {"kind":"signalled","pgid":${pgid},"signal":"SIGKILL"}`, from);
    });

    test("a group that honours SIGTERM ends at its soft deadline", async () => {
      const pgid = await server.spawnGroup();
      groups.push(pgid);
      const from = server.lines.length;
      const armed = performance.now();
      server.send(`arm ${pgid} 150 20000`);
      await gone(pgid);
      const lived = performance.now() - armed;
      assert.ok(lived >= 150 && lived < 20_000, `the group died after ${lived} ms`);
      await server.next(`event {"kind":"signalled","pgid":${pgid},"signal":"SIGTERM"}`, from);
    });

    test("done cancels a group's deadlines", async () => {
      const spared = await server.spawnGroup();
      const control = await server.spawnGroup();
      groups.push(spared, control);
      server.send(`arm ${spared} 100 200`);
      server.send(`done ${spared}`);
      // The control group's deadline comes after the spared one's: once it is dead, the
      // spared group would have been too, had done not cancelled it.
      server.send(`arm ${control} 300 300`);
      await gone(control);
      assert.ok(groupMembers(spared).length >= 2, "the group marked done should still run");
    });

    test("a group is killed at its hard deadline while the server is stopped", async () => {
      const pgid = await server.spawnGroup("ignore-term");
      groups.push(pgid);
      const probe = await server.spawnGroup();
      groups.push(probe);
      server.send(`arm ${pgid} 300 300`);
      server.send(`arm ${probe} 0 0`);
      await gone(probe); // the watchdog has read both lines
      server.proc.kill("SIGSTOP");
      try {
        await gone(pgid);
      } finally {
        server.proc.kill("SIGCONT");
      }
    });

    test("killing the server with SIGKILL takes every group it armed down at once", async () => {
      const pgids = [await server.spawnGroup(), await server.spawnGroup("ignore-term")];
      groups.push(...pgids);
      for (const pgid of pgids) server.send(`arm ${pgid} 60000 60000`);
      // The watchdog only knows a group once it has read its line; its events come after.
      const probe = await server.spawnGroup();
      groups.push(probe);
      server.send(`arm ${probe} 0 0`);
      await gone(probe);
      server.proc.kill("SIGKILL");
      for (const pgid of pgids) await gone(pgid, 5000);
      await waitFor(() => !alive(watchdogPid), "the watchdog to exit after the server died");
    });
  });
}
