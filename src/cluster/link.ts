// The relaying side of a room's link: one websocket to the room's owner carries every client
// this node relays to that room, so a message for all of them crosses the loopback and is
// parsed here once (the frames are in mux.ts; the owner's side is owner-link.ts).
import WebSocket from "ws";
import type { RawData } from "ws";
import type { Buffer } from "node:buffer";
import type { IncomingMessage } from "node:http";
import { setImmediate } from "node:timers";
import type { Outgoing } from "../codec/outgoing.ts";
import type { Refusal } from "../room/door.ts";
import { Batch, type Frame, MAX_FRAME, OP, Reader } from "./mux.ts";

/** How long the owner may take to answer the link's handshake. */
const DIAL_MS = 5_000;

/** One relayed client, as the link reaches it. */
export interface ChannelEnd {
  /** The owner sent the client a message. */
  deliver(out: Outgoing): void;
  /** The owner closed the client, or the link ended (its code then). */
  closed(code: number, reason: string): void;
}

export type Answer =
  | { kind: "admitted"; ch: number }
  | { kind: "refused"; refusal: Refusal }
  | { kind: "failed"; reason: string };

export interface LinkOptions {
  /** The nodes serve wss: the owner's certificate is not checked (see dial below). */
  tls: boolean;
  /** Largest websocket message the owner takes (its --maxframesize). */
  maxPayload: number;
}

export class Link {
  private readonly ws: WebSocket;
  /** Null once open; otherwise what every join gets (the owner refused the link or is gone). */
  private readonly opened: Promise<Answer | null>;
  private readonly joining = new Map<number, { end: ChannelEnd; answer(a: Answer): void }>();
  private readonly channels = new Map<number, ChannelEnd>();
  private readonly batch: Batch;
  private readonly reader = new Reader(MAX_FRAME);
  private nextCh = 1;
  /** Clients joining or joined: the link closes when none is left. */
  private users = 0;
  private flushing = false;
  private gone = false;

  /**
   * Dials the owner at advertise (HOST:PORT) for path, with the link's signed headers. The
   * owner's certificate is not checked: nodes are addressed by IP, which certificates rarely
   * name, and what makes a link trusted is the signature the owner checks, not the channel.
   */
  constructor(
    advertise: string,
    path: string,
    headers: Record<string, string>,
    opts: LinkOptions,
    private readonly ended: () => void,
  ) {
    this.batch = new Batch(opts.maxPayload);
    this.ws = new WebSocket(`${opts.tls ? "wss" : "ws"}://${advertise}${path}`, {
      rejectUnauthorized: false,
      headers,
      // The owner is a peer of the cluster: what it sends was bounded by its room already.
      maxPayload: 0,
      handshakeTimeout: DIAL_MS,
      perMessageDeflate: false,
      followRedirects: false,
    });
    this.opened = new Promise((resolve) => {
      this.ws.once("open", () => resolve(null));
      this.ws.once("unexpected-response", (_req, res: IncomingMessage) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => text = (text + chunk).slice(0, 200));
        res.on("end", () => {
          resolve({ kind: "refused", refusal: ownerRefusal(res.statusCode ?? 502, text) });
          this.ws.terminate();
        });
        res.on("error", () => {});
      });
      this.ws.on("error", (err: Error) => resolve({ kind: "failed", reason: err.message }));
    });
    this.ws.on("message", (data: RawData) => this.received(data as Buffer));
    this.ws.on("close", (code: number, reason: Buffer) => this.lost(code, reason.toString()));
  }

  /** Bytes queued towards the owner. */
  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  /** Asks the owner to take a client in, with its signed fields; end hears from it after. */
  async join(fields: Record<string, string>, end: ChannelEnd): Promise<Answer> {
    this.users++;
    const problem = await this.opened;
    if (problem || this.gone) {
      this.release();
      return problem ?? { kind: "failed", reason: "link closed" };
    }
    const ch = this.nextCh++;
    const answer = await new Promise<Answer>((resolve) => {
      this.joining.set(ch, { end, answer: resolve });
      this.write({ op: OP.join, ch, fields });
    });
    if (answer.kind !== "admitted") this.release();
    return answer;
  }

  /** A client's message. */
  send(ch: number, data: Uint8Array, text: boolean): void {
    this.write({ op: OP.message, ch, text, data });
  }

  /** The client's side ended: the owner hears it (1006: the client vanished). */
  close(ch: number, code: number, reason: string): void {
    if (!this.channels.delete(ch)) return;
    this.write({ op: OP.close, ch, code, reason });
    this.release();
  }

  private received(data: Buffer): void {
    if (!this.reader.feed(data, (f) => this.frame(f))) {
      this.ws.close(1002, "malformed link frame");
    }
  }

  private frame(f: Frame): void {
    if (f.op === OP.deliver) {
      const out: Outgoing = { text: f.text, data: f.data };
      if (f.to === null) { for (const end of this.channels.values()) end.deliver(out); }
      else for (const ch of f.to) this.channels.get(ch)?.deliver(out);
    } else if (f.op === OP.admit || f.op === OP.refuse) {
      const waiting = this.joining.get(f.ch);
      if (!waiting) return;
      this.joining.delete(f.ch);
      if (f.op === OP.admit) this.channels.set(f.ch, waiting.end);
      waiting.answer(
        f.op === OP.admit
          ? { kind: "admitted", ch: f.ch }
          : { kind: "refused", refusal: ownerRefusal(f.status, f.text) },
      );
    } else if (f.op === OP.close) {
      const end = this.channels.get(f.ch);
      if (!end || !this.channels.delete(f.ch)) return;
      // Answered as a websocket answers a close frame: with its own code.
      this.write({ op: OP.close, ch: f.ch, code: f.code, reason: f.reason });
      end.closed(f.code, f.reason);
      this.release();
    }
  }

  private write(f: Frame): void {
    this.batch.add(f);
    if (this.flushing) return;
    this.flushing = true;
    // What every client said in this turn of the event loop (each client's read is a task of
    // its own) leaves in one websocket message: one write instead of one per message.
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushing = false;
    if (this.ws.readyState !== WebSocket.OPEN) return;
    for (const msg of this.batch.take()) this.ws.send(msg, { binary: true });
  }

  private release(): void {
    if (--this.users > 0 || this.gone) return;
    this.flush();
    this.finish();
    this.ws.close(1000, "");
  }

  private lost(code: number, reason: string): void {
    this.finish();
    for (const { answer } of this.joining.values()) answer({ kind: "failed", reason: "link lost" });
    this.joining.clear();
    const ends = [...this.channels.values()];
    this.channels.clear();
    for (const end of ends) end.closed(code, reason);
  }

  private finish(): void {
    if (this.gone) return;
    this.gone = true;
    this.ended();
  }
}

/** The owner's status passes through when it is one a client could get directly. */
export function ownerRefusal(status: number, text: string): Refusal {
  const known = [400, 403, 404, 429, 503] as const;
  const passed = known.find((s) => s === status) ?? 503;
  const line = text.trim().split("\n")[0] || "Room owner refused the connection";
  return { status: passed, reason: `owner_${status}`, text: line };
}
