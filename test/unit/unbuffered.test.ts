// Unit tests for --unbuffered and the hint logged when a program gets input and prints nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SilenceHint, spawnOptions } from "../../src/room/unbuffered.ts";
import { type StdbufDeps, underStdbuf } from "../../src/runtime/stdbuf.ts";
import { resolveCommand } from "../../src/runtime/resolve.ts";
import { makeConfig, makeLog, roomEnv as env, setupRoom as setup } from "./fakes.ts";

/** A SilenceHint whose timer the test fires by hand. */
function hint(unbuffered = false) {
  const { log, lines } = makeLog();
  const timers: { fn: () => void; ms: number; cancelled: boolean }[] = [];
  const h = new SilenceHint(log, unbuffered, 10_000, (fn, ms) => {
    const t = { fn, ms, cancelled: false };
    timers.push(t);
    return () => t.cancelled = true;
  });
  const hints = () => lines.filter((l) => l.includes("printed nothing"));
  return { h, timers, hints };
}

test("a program given input and silent for 10 s gets one hint naming --unbuffered", () => {
  const { h, timers, hints } = hint();
  h.fed();
  h.fed();
  assert.equal(timers.length, 1, "one timer, however many messages");
  assert.equal(timers[0].ms, 10_000);
  timers[0].fn();
  assert.equal(hints().length, 1, "the hint is logged");
  assert.match(hints()[0], /--unbuffered/);
  assert.match(hints()[0], /My program prints nothing/, "it points at the README's section");
  h.fed();
  assert.equal(timers.length, 1, "once per room: no second timer");
});

test("a program that printed something gets no hint", () => {
  const { h, timers, hints } = hint();
  h.fed();
  h.heard();
  assert.equal(timers[0].cancelled, true, "the timer is cancelled");
  timers[0].fn();
  assert.equal(hints().length, 0, "not logged even if the timer had already run");
  h.fed();
  assert.equal(timers.length, 1, "and never armed again");
});

test("a program that printed before its first input is never timed", () => {
  const { h, timers } = hint();
  h.heard();
  h.fed();
  assert.equal(timers.length, 0);
});

test("under --unbuffered the hint does not suggest the flag again", () => {
  const { h, timers, hints } = hint(true);
  h.fed();
  timers[0].fn();
  assert.doesNotMatch(hints()[0], /try --unbuffered/);
});

test("a room ending cancels its pending hint", () => {
  const { h, timers } = hint();
  h.fed();
  h.stop();
  assert.equal(timers[0].cancelled, true);
});

test("--unbuffered sets PYTHONUNBUFFERED over the passed variables and asks for stdbuf", () => {
  const off = spawnOptions(makeConfig(), { PATH: "/bin" });
  assert.deepEqual(off, { env: { PATH: "/bin" } }, "nothing changes without the flag");
  const on = spawnOptions(makeConfig({ unbuffered: true }), { PYTHONUNBUFFERED: "0" });
  assert.deepEqual(on, { env: { PYTHONUNBUFFERED: "1" }, lineBuffered: true });
});

test("the room's child is spawned with the unbuffering variables", async () => {
  const { room, runtime, a } = setup({ unbuffered: true });
  room.join(a, env());
  await runtime.child();
  assert.equal(runtime.spawns[0].env.PYTHONUNBUFFERED, "1");
});

const SCRIPT = new TextEncoder().encode("#!/usr/bin/python3\nprint(1)\n");
const ELF = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);

/** A file system of executables (path → first bytes) for underStdbuf. */
function files(found: Record<string, Uint8Array>, glibc = true): StdbufDeps {
  return {
    isExecutable: (p) => Promise.resolve(p in found),
    head: (p) => Promise.resolve(found[p] ?? null),
    find: (cmd) =>
      resolveCommand(cmd, "/usr/local/bin:/usr/bin", (p) => Promise.resolve(p in found)),
    glibc: () => glibc,
  };
}

const STDBUF = { "/usr/bin/stdbuf": ELF };

test("a binary or a script whose interpreter exists runs under stdbuf -oL -eL", async () => {
  const bin = await underStdbuf("/opt/bot", ["--x"], files({ ...STDBUF, "/opt/bot": ELF }));
  assert.deepEqual(bin, ["/usr/bin/stdbuf", ["-oL", "-eL", "/opt/bot", "--x"]]);
  const all = { ...STDBUF, "./bot.py": SCRIPT, "/usr/bin/python3": ELF };
  const script = await underStdbuf("./bot.py", [], files(all));
  assert.deepEqual(script, ["/usr/bin/stdbuf", ["-oL", "-eL", "./bot.py"]]);
});

test("stdbuf is skipped where the spawn itself must fail and name the program", async () => {
  const cases: [string, string, Record<string, Uint8Array>, boolean?][] = [
    ["no stdbuf installed", "/opt/bot", { "/opt/bot": ELF }],
    ["no glibc", "/opt/bot", { ...STDBUF, "/opt/bot": ELF }, false],
    ["the program is missing", "/opt/bot", STDBUF],
    ["its interpreter is missing", "./bot.py", { ...STDBUF, "./bot.py": SCRIPT }],
    // execvp would hand it to /bin/sh: never a shell.
    ["neither a binary nor a script", "./notes", { ...STDBUF, "./notes": new Uint8Array([65]) }],
    ["a bare name that was not found on PATH", "bot", { ...STDBUF, bot: ELF }],
  ];
  for (const [why, file, found, glibc] of cases) {
    assert.equal(await underStdbuf(file, [], files(found, glibc)), null, why);
  }
});
