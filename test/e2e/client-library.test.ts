// scalesocket/client against a real server under --resume: a cut connection loses nothing.
// Node 20 drives it with ws; `deno test -A` runs the same file on Deno's own WebSocket.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { WebSocket as WsSocket } from "ws";
import {
  type ClientEvents,
  connect,
  type ScaleSocket,
  type WebSocketConstructor,
} from "../../src/client/index.ts";
import { launch, LAUNCHERS, type Running } from "./harness.ts";
import { type Cutter, cutter } from "../browser/cut.ts";

const WebSocket = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket ??
  (WsSocket as unknown as WebSocketConstructor);

/** Resolves with the next value of a client's event. */
const next = <K extends keyof ClientEvents>(c: ScaleSocket, name: K) =>
  new Promise<ClientEvents[K]>((resolve) => {
    const off = c.on(name, (v) => (off(), resolve(v)));
  });

/** A client's messages as text; until(last) resolves once the latest one is last. */
function collect(c: ScaleSocket) {
  const got: string[] = [];
  const checks = new Set<() => void>();
  c.on("message", (data) => {
    got.push(String(data));
    for (const check of [...checks]) check();
  });
  const until = (last: string) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (got.at(-1) !== last) return;
        checks.delete(check);
        resolve();
      };
      checks.add(check);
      check();
    });
  return { got, until };
}

describe("the client library against a server with --resume", () => {
  let server: Running;
  let proxy: Cutter;
  before(async () => {
    server = await launch(LAUNCHERS.node, ["--resume", "30", "cat"]);
    proxy = await cutter(server.port);
  });
  after(async () => {
    await proxy?.close();
    await server?.stop();
  });

  it("a client cut off while the room talks resumes with every line once, in order", {
    timeout: 60_000,
  }, async () => {
    const speaker = connect(server.ws("/talk"), { WebSocket });
    const listener = connect(`ws://127.0.0.1:${proxy.port}/talk`, {
      WebSocket,
      backoff: { base: 50, max: 400 },
    });
    const heard = collect(listener);
    const echoed = collect(speaker);
    await Promise.all([next(speaker, "open"), next(listener, "open")]);
    let lost = false;
    listener.on("reset", () => lost = true);

    proxy.block(true);
    const dropped = next(listener, "reconnecting");
    proxy.cut();
    await dropped;
    const lines = Array.from({ length: 300 }, (_, i) => `line ${i}`);
    for (const line of lines) speaker.send(line);
    // Every line went through cat once the speaker heard the last one come back.
    await echoed.until(lines.at(-1)!);
    const resumed = next(listener, "resumed");
    proxy.block(false);
    assert.ok((await resumed).missed > 0, "the lines said while away were held for the listener");
    await heard.until(lines.at(-1)!);
    assert.deepEqual(heard.got, lines, "every line once, in order");
    assert.equal(lost, false, "the membership was kept, not reset");
    speaker.close();
    listener.close();
  });
});
