// The linux-arm64 executable, run on an x64 machine by qemu's user-mode emulator.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import process from "node:process";
import { after, describe, it } from "node:test";
import { launch, type Launcher, runCli, stopAll } from "../e2e/harness.ts";
import { Client } from "../e2e/client.ts";
import { artifact, staleness } from "./artifacts.ts";

const EXE = artifact("linux-arm64");
const QEMU = "qemu-aarch64-static";
/** Debian's libc6-arm64-cross and friends: the arm64 loader and libraries qemu needs. */
const SYSROOT = "/usr/aarch64-linux-gnu";

function missing(): string | undefined {
  if (process.platform !== "linux") return "qemu user mode runs on Linux only";
  if (process.arch === "arm64") return "this machine is arm64: the executable suite covers it";
  if (spawnSync(QEMU, ["--version"]).error) {
    return `${QEMU} is not installed (apt-get install qemu-user-static, or scripts/ship-deps.sh)`;
  }
  for (const lib of ["lib/ld-linux-aarch64.so.1", "lib/libstdc++.so.6", "lib/libatomic.so.1"]) {
    if (!existsSync(`${SYSROOT}/${lib}`)) {
      return `${SYSROOT}/${lib} is missing (apt-get install libc6-arm64-cross ` +
        "libstdc++6-arm64-cross libatomic1-arm64-cross, or scripts/ship-deps.sh)";
    }
  }
  return staleness(EXE);
}

const l: Launcher = { name: "linux-arm64 under qemu", command: [QEMU, "-L", SYSROOT, EXE] };

describe("the linux-arm64 executable under qemu", { skip: missing() }, () => {
  after(stopAll);

  it("prints its version", async () => {
    const r = await runCli(l, ["--version"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^scalesocket \d+\.\d+\.\d+/);
  });

  it("serves a room and stops on SIGTERM", async () => {
    const s = await launch(l, ["cat"]);
    const c = await Client.open(s.ws("/lobby"));
    c.ws.send("emulated");
    assert.equal((await c.next("the echo", 20_000)).data, "emulated");
    assert.equal((await s.stop("SIGTERM")).code, 0, s.stderr());
  });
});
