// Test harness: haproxy started from deploy/haproxy.cfg itself, only bind and servers replaced.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, waitFor } from "../e2e/harness.ts";
import { freePort, stopPid } from "./redis.ts";

export const SHIPPED_CONFIG = join(ROOT, "deploy/haproxy.cfg");

export interface Backend {
  name: string;
  port: number;
  /** Starts out of rotation; `enable server scalesocket/NAME` on admin() brings it in. */
  disabled?: boolean;
}

export interface Haproxy {
  readonly port: number;
  readonly pid: number;
  /** One command on the admin socket; resolves with haproxy's answer. */
  admin(command: string): Promise<string>;
  stop(): Promise<void>;
}

/** The shipped file with the bind line and server lines replaced, and an admin socket added. */
export function deriveConfig(
  template: string,
  port: number,
  backends: Backend[],
  adminSocket: string,
): string {
  const out: string[] = [];
  let serversAt = -1;
  for (const line of template.split("\n")) {
    if (/^\s*bind\s/.test(line)) out.push(`    bind 127.0.0.1:${port}`);
    else if (/^\s*server\s/.test(line)) serversAt = serversAt < 0 ? out.length : serversAt;
    else out.push(line);
    if (/^global\b/.test(line)) out.push(`    stats socket ${adminSocket} level admin`);
  }
  if (serversAt < 0) throw new Error("deploy/haproxy.cfg has no server line to replace");
  const servers = backends.map((b) =>
    `    server ${b.name} 127.0.0.1:${b.port}${b.disabled ? " disabled" : ""}`
  );
  out.splice(serversAt, 0, ...servers);
  return out.join("\n");
}

function haproxyBinary(): string {
  return existsSync("/usr/sbin/haproxy") ? "/usr/sbin/haproxy" : "haproxy";
}

export async function startHaproxy(backends: Backend[]): Promise<Haproxy> {
  const dir = mkdtempSync(join(tmpdir(), "ss-haproxy-"));
  const socket = join(dir, "admin.sock");
  const file = join(dir, "haproxy.cfg");
  const template = readFileSync(SHIPPED_CONFIG, "utf8");
  for (let attempt = 0;; attempt++) {
    const port = await freePort();
    writeFileSync(file, deriveConfig(template, port, backends, socket));
    // -db: stay in the foreground, so the pid we hold is haproxy's own.
    const child = spawn(haproxyBinary(), ["-db", "-f", file], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const output: string[] = [];
    child.stdout!.on("data", (c) => output.push(String(c)));
    child.stderr!.on("data", (c) => output.push(String(c)));
    try {
      await waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`haproxy exited: ${output.join("")}`);
          return await accepts(port) && existsSync(socket);
        },
        "haproxy to listen",
      );
      return running(child, port, socket, dir);
    } catch (err) {
      await stopPid(child.pid!);
      if (attempt >= 4 || !/bind|in use/i.test(String(err))) throw err;
    }
  }
}

function running(child: ChildProcess, port: number, socket: string, dir: string): Haproxy {
  return {
    port,
    pid: child.pid!,
    admin: (command) => adminCommand(socket, command),
    async stop() {
      await stopPid(child.pid!);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, "127.0.0.1");
    sock.once("connect", () => (sock.destroy(), resolve(true)));
    sock.once("error", () => resolve(false));
  });
}

function adminCommand(path: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(path);
    let answer = "";
    sock.on("data", (c) => answer += c);
    sock.once("error", reject);
    sock.once("end", () => resolve(answer.trim()));
    sock.write(command + "\n");
  });
}
