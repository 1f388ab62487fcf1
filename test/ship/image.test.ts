// The FROM scratch image (npm run image), unpacked by umoci and run by runc: no Docker engine.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { after, before, describe, it } from "node:test";
import { launch, type Launcher, runCli } from "../e2e/harness.ts";
import { Client } from "../e2e/client.ts";
import { BIN, sharedLibraries } from "../../scripts/rootfs.ts";
import { artifact, DIST } from "./artifacts.ts";

const EXE = artifact("linux-x64");
const IMAGE = join(DIST, "image-linux-x64");

function missing(): string | undefined {
  if (process.platform !== "linux" || process.arch !== "x64") return "the image is linux-x64";
  for (const tool of ["umoci", "runc"]) {
    try {
      execFileSync(tool, ["--version"], { stdio: "ignore" });
    } catch {
      return `${tool} is not installed (apt-get install ${tool}, or scripts/ship-deps.sh)`;
    }
  }
  if (process.getuid?.() !== 0) return "runc needs root here (a rootless bundle is not set up)";
  try {
    statSync(join(IMAGE, "index.json"));
  } catch {
    return `${IMAGE} does not exist: run "npm run image" first`;
  }
  return undefined;
}

/** Every file (not directory) under dir, as absolute paths inside it. */
function files(dir: string, at = ""): string[] {
  return readdirSync(join(dir, at), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(dir, `${at}/${e.name}`) : [`${at}/${e.name}`]
  );
}

const skip = missing();
describe("the container image", { skip }, () => {
  let work = "";
  let bundle = "";
  let n = 0;
  const ids: string[] = [];

  /**
   * Writes the bundle's config to run args on the host's network, without a terminal, and
   * returns a launcher for it. The harness appends its own arguments to a launcher's command;
   * sh -c ignores them, and exec leaves runc, which passes signals on, as the process we signal.
   */
  function runc(args: string[]): Launcher {
    const file = join(bundle, "config.json");
    const c = JSON.parse(readFileSync(file, "utf8"));
    c.process.terminal = false;
    c.process.args = args;
    // Share the host's network, so the test reaches the server on 127.0.0.1.
    c.linux.namespaces = c.linux.namespaces.filter((ns: { type: string }) => ns.type !== "network");
    writeFileSync(file, JSON.stringify(c));
    const id = `scalesocket-test-${process.pid}-${++n}`;
    ids.push(id);
    return { name: id, command: ["sh", "-c", 'exec runc run --bundle "$0" "$1"', bundle, id] };
  }

  before(() => {
    work = mkdtempSync(join(tmpdir(), "scalesocket-image-"));
    bundle = join(work, "bundle");
    execFileSync("umoci", ["unpack", "--image", `${IMAGE}:latest`, bundle]);
  });
  after(() => {
    // runc run removes a container that ended; this catches one a failed test left running.
    for (const id of ids) spawnSync("runc", ["delete", "--force", id], { stdio: "ignore" });
    rmSync(work, { recursive: true, force: true });
  });

  it("holds the executable, its loader and its libraries, and nothing else", () => {
    const inImage = files(join(bundle, "rootfs")).sort();
    assert.deepEqual(inImage, [BIN, ...sharedLibraries(EXE)].sort());
    const packed = readFileSync(join(bundle, "rootfs", BIN));
    assert.ok(packed.equals(readFileSync(EXE)), `${IMAGE} is older than ${EXE}: npm run image`);
  });

  it("runs the executable with runc", async () => {
    const r = await runCli(runc([BIN, "--version"]), []);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^scalesocket \d/);
  });

  it("serves a room as PID 1, then stops on SIGTERM with exit code 0", async () => {
    // What a user's Dockerfile adds with COPY: the wrapped program and its libraries.
    const rootfs = join(bundle, "rootfs");
    for (const f of ["/usr/bin/cat", ...sharedLibraries("/usr/bin/cat")]) {
      if (existsSync(join(rootfs, f))) continue;
      mkdirSync(dirname(join(rootfs, f)), { recursive: true });
      execFileSync("cp", ["-L", "-p", f, join(rootfs, f)]);
    }
    const l = runc([BIN, "--addr", "127.0.0.1:0", "cat"]);
    const s = await launch(l, []);
    const state = JSON.parse(execFileSync("runc", ["state", l.name], { encoding: "utf8" }));
    const nspid = readFileSync(`/proc/${state.pid}/status`, "utf8").match(/^NSpid:\s+(.*)$/m);
    assert.equal(nspid?.[1].split(/\s+/).pop(), "1", "scalesocket is PID 1 in the container");
    const c = await Client.open(s.ws("/lobby"));
    c.ws.send("hello from the host");
    assert.equal((await c.next("the echo")).data, "hello from the host");
    const exit = await s.stop("SIGTERM");
    assert.equal(exit.code, 0, s.stderr());
    assert.equal((await c.closed).code, 1001);
  });
});
