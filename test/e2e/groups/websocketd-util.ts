// Helpers for the websocketd flag groups: scripts in temp dirs, raw HTTP, raw sockets, unix sockets.
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import WebSocket from "ws";
import type { ClientOptions } from "ws";
import { CHILD, type Exit, type Launcher, PYTHON, ROOT } from "../harness.ts";
import { Refused } from "../client.ts";

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `ss-${prefix}-`));
}

/** Writes DIR/NAME, a shell script that runs the fixture in MODE; executable unless told. */
export function fixtureScript(dir: string, name: string, args: string[], executable = true) {
  const path = join(dir, name);
  const quoted = [PYTHON, CHILD, ...args].map((a) => `'${a.replaceAll("'", `'\\''`)}'`);
  writeFileSync(path, `#!/bin/sh\nexec ${quoted.join(" ")}\n`);
  chmodSync(path, executable ? 0o755 : 0o644);
  return path;
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One HTTP(S) request whose path is sent exactly as given (fetch would resolve `..` first);
 * https accepts the tests' self-signed certificate.
 */
export function rawRequest(
  base: string,
  path: string,
  opts: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const url = new URL(base);
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send({
      host: url.hostname,
      port: url.port,
      path,
      method: opts.method ?? "GET",
      headers: opts.headers,
      rejectUnauthorized: false,
    }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => body += d);
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on(
      "error",
      (e) => reject(new Error(`${opts.method ?? "GET"} ${base}${path}: ${e.message}`)),
    );
    req.end(opts.body);
  });
}

/** A raw ws socket (for options the test Client does not take), open or refused. */
export function openSocket(url: string, opts: ClientOptions = {}): Promise<WebSocket> {
  const ws = new WebSocket(url, opts);
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(ws));
    ws.once("error", (e) => reject(new Error(`cannot connect to ${url}: ${e.message}`)));
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (d: Buffer) => body += d);
      res.on("end", () => reject(new Refused(res.statusCode ?? 0, body)));
    });
  });
}

/** The socket's next message as text, failing after ms. */
export function nextText(ws: WebSocket, what: string, ms = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
    ws.once("message", (data: Buffer) => {
      clearTimeout(timer);
      resolve(data.toString("utf8"));
    });
  });
}

export interface UnixServer {
  stderr(): string;
  stop(): Promise<Exit>;
}

/**
 * Starts scalesocket on a unix socket. The harness's launch() adds --addr, which
 * --unixsocket refuses, so this spawns the launcher itself and waits for its listening line.
 */
export function launchUnix(l: Launcher, args: string[], ms = 15_000): Promise<UnixServer> {
  const [cmd, ...pre] = l.command;
  const p = spawn(cmd, [...pre, ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  const exited = new Promise<Exit>((resolve) =>
    p.on("exit", (code, signal) => resolve({ code, signal }))
  );
  const server: UnixServer = {
    stderr: () => err,
    stop() {
      if (p.exitCode === null && p.signalCode === null) p.kill("SIGTERM");
      return exited;
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      p.kill("SIGKILL");
      reject(new Error(`no "listening on unix:" after ${ms} ms:\n${err}`));
    }, ms);
    p.stderr!.on("data", (d) => {
      err += d;
      if (/listening on unix:/.test(err)) {
        clearTimeout(timer);
        resolve(server);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`server exited before listening:\n${err}`));
    });
  });
}
