// A stand-in server for the watchdog tests, and (with the hidden flag) its watchdog, exactly as
// the real entry will dispatch. Commands on stdin, one per line:
//   spawn [ignore-term]   start a process group of two sleeps; prints "spawned PGID"
//   arm PGID SOFT HARD    deadlines in ms from now;  done PGID
// It prints "ready WATCHDOG_PID" first and "event JSON" for each watchdog event.
import { spawn } from "node:child_process";
import process from "node:process";
import { createInterface } from "node:readline";
import { startWatchdog, watchdogMain } from "../../src/cluster/watchdog-process.ts";
import { WATCHDOG_FLAG } from "../../src/cluster/watchdog.ts";

if (process.argv.includes(WATCHDOG_FLAG)) {
  process.exit(await watchdogMain());
}

const link = await startWatchdog();
link.onEvent((event) => console.log(`event ${JSON.stringify(event)}`));
console.log(`ready ${link.pid}`);

const SCRIPTS: Record<string, string> = {
  plain: "sleep 1000 & sleep 1000; wait",
  "ignore-term": "trap '' TERM; sleep 1000 & sleep 1000; wait",
};

for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  const [cmd, a, b, c] = line.trim().split(/\s+/);
  if (cmd === "spawn") {
    const script = SCRIPTS[a ?? "plain"] ?? SCRIPTS.plain;
    const child = spawn("sh", ["-c", script], { detached: true, stdio: "ignore" });
    console.log(`spawned ${child.pid}`);
  } else if (cmd === "arm") {
    const now = performance.now();
    link.arm(Number(a), now + Number(b), now + Number(c));
  } else if (cmd === "done") {
    link.done(Number(a));
  }
}
await link.close();
process.exit(0);
