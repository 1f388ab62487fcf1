// Wires a room to one child process: the child's output (and, with --passstderr, its stderr)
// becomes messages for the fan-out, one batch per chunk. Each process gets a link of its own,
// so a restarted child (--restart) starts with fresh splitters and an empty input queue.
import type { Logger } from "../log.ts";
import { createOutput, type Output, type OutputSink, streamOutput } from "../codec/output.ts";
import type { Fanout } from "./fanout.ts";
import { ChildLink, type Ending } from "./process.ts";
import type { RoomDeps } from "./room.ts";

export interface Wiring {
  deps: RoomDeps;
  log: Logger;
  fanout: Fanout;
  /** What the room does with the child's `_meta` lines and gwsocket close frames. */
  sink: Pick<OutputSink, "meta" | "closeClient">;
  /** Each chunk of output the child produced for the clients (before it is split). */
  heard(): void;
  stopping(): boolean;
  started(pid: number): void;
  ended(how: Ending): void;
  failed(reason: string): void;
}

export function wireLink(w: Wiring): ChildLink {
  const { config } = w.deps;
  const { fanout } = w;
  const sink: OutputSink = {
    ...w.sink,
    deliver: (d) => fanout.deliver(d),
    warn: (msg, bytes) => w.log.warn(msg, { bytes }),
  };
  const batched = (o: Output): Output => ({
    push: (chunk) => {
      w.heard();
      fanout.batch(() => o.push(chunk));
    },
    end: () => fanout.batch(() => o.end()),
  });
  const output = batched(createOutput(config, sink));
  const errors = config.passStderr ? batched(streamOutput(config, sink, "stderr")) : null;
  return new ChildLink({
    ...w.deps,
    log: w.log,
    output,
    errors,
    stopping: w.stopping,
    started: w.started,
    ended: w.ended,
    failed: w.failed,
  });
}
