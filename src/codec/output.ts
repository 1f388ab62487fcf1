// What the child prints becomes deliveries: split or deframed, routed, tagged for the cache.
import type { Config } from "../config.ts";
import { GW, GwDecoder } from "./gwsocket.ts";
import { routing } from "./json.ts";
import { createSplitter, toMessage } from "./split.ts";

export interface Delivery {
  msg: string | Uint8Array;
  /** Client ids to send to; null is everyone in the room. */
  to: readonly number[] | null;
  /** Whether --cache keeps it for replay. */
  cache: boolean;
}

/** Where the output goes: the room. */
export interface OutputSink {
  deliver(d: Delivery): void;
  /** A `_meta` line: the room's new metadata. */
  meta(value: Record<string, unknown>): void;
  /** A gwsocket close frame from the child: that client is to be closed. */
  closeClient(id: number): void;
  warn(msg: string, bytes?: number): void;
}

export interface Output {
  push(chunk: Uint8Array): void;
  /** The stream ended: deliver what is left. */
  end(): void;
}

const decoder = new TextDecoder();

export function createOutput(config: Config, sink: OutputSink): Output {
  if (config.frame.server === "gwsocket") return gwOutput(config, sink);
  if (config.passStderr) return streamOutput(config, sink, "stdout");
  const splitter = createSplitter(
    config.split,
    config.maxFrameSize,
    (bytes) => sink.warn("output message longer than --maxframesize sent in pieces", bytes),
  );
  const binary = config.split.kind === "binary";
  const json = config.frame.server === "json";
  const tagged = config.cache?.kind === "tagged";
  const send = (bytes: Uint8Array) => {
    // --binary output is always binary frames; otherwise text when it is valid UTF-8.
    const msg = binary ? bytes : toMessage(bytes);
    if (typeof msg !== "string" || (!json && !tagged)) {
      return sink.deliver({ msg, to: null, cache: !tagged });
    }
    const r = routing(msg);
    if (json && r.meta) return sink.meta(r.meta);
    sink.deliver({ msg, to: json ? r.to : null, cache: tagged ? r.cache : true });
  };
  return {
    push: (chunk) => splitter.push(chunk).forEach(send),
    end: () => splitter.end().forEach(send),
  };
}

/**
 * --passstderr (websocketd): each line of stdout or stderr goes out as
 * `{"stream":"stdout"|"stderr","data":LINE}`; bytes that are not UTF-8 are shown with U+FFFD.
 */
export function streamOutput(config: Config, sink: OutputSink, stream: string): Output {
  const splitter = createSplitter(
    config.split,
    config.maxFrameSize,
    (bytes) => sink.warn(`${stream} message longer than --maxframesize sent in pieces`, bytes),
  );
  const send = (bytes: Uint8Array) => {
    const msg = JSON.stringify({ stream, data: decoder.decode(bytes) });
    sink.deliver({ msg, to: null, cache: config.cache?.kind !== "tagged" });
  };
  return {
    push: (chunk) => splitter.push(chunk).forEach(send),
    end: () => splitter.end().forEach(send),
  };
}

function gwOutput(config: Config, sink: OutputSink): Output {
  const frames = new GwDecoder(config.maxFrameSize, (why) => sink.warn(`bad gwsocket ${why}`));
  const tagged = config.cache?.kind === "tagged";
  return {
    push(chunk) {
      for (const f of frames.push(chunk)) {
        const to = f.id === 0 ? null : [f.id];
        if (f.type === GW.text) {
          const msg = decoder.decode(f.payload);
          sink.deliver({ msg, to, cache: tagged ? routing(msg).cache : true });
        } else if (f.type === GW.binary) {
          sink.deliver({ msg: f.payload, to, cache: !tagged });
        } else if (f.type === GW.close && f.id !== 0) sink.closeClient(f.id);
        else sink.warn(`gwsocket frame of type 0x${f.type.toString(16)} from the child ignored`);
      }
    },
    end() {
      if (frames.leftover > 0) sink.warn("gwsocket output ended inside a frame", frames.leftover);
    },
  };
}
