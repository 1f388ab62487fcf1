// One room connection that outlives its sockets: reconnects, resumes, and queues sends.
import { type Backoff, backoffDelay, DEFAULT_BACKOFF } from "./backoff.ts";
import {
  attemptUrl,
  parseControl,
  RESUME_REFUSED,
  type ResumePoint,
  type Welcome,
} from "./control.ts";
import { Emitter, type Listener } from "./emitter.ts";
import { type Outgoing, SendQueue } from "./queue.ts";
import type {
  ClientEvents,
  ClientOptions,
  ClientState,
  SocketLike,
  WebSocketConstructor,
} from "./types.ts";

const OPEN = 1;

export class ScaleSocket {
  #id: number | null = null;
  #user: string | null = null;
  #resumeWindow = 0;
  #state: ClientState = "connecting";

  readonly #url: string | URL;
  readonly #options: ClientOptions;
  readonly #WebSocket: WebSocketConstructor;
  readonly #backoff: Backoff;
  readonly #queue: SendQueue;
  readonly #events = new Emitter<ClientEvents>();
  #ws: SocketLike | null = null;
  /** The membership to come back to; null when there is none to resume. */
  #point: ResumePoint | null = null;
  /** Data frames received in the current membership (counted with or without resume). */
  #received = 0;
  /** Whether the current socket's first frame is still to come (the Welcome or Resumed). */
  #awaitingControl = false;
  /** True once a membership existed: a fresh one after it is a reset. */
  #hadMember = false;
  /** Why the last membership ended, told with the next reset. */
  #lostBecause = "the server keeps no dropped membership";
  #attempt = 0;
  #openedAt = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(url: string | URL, options: ClientOptions = {}) {
    const ctor = options.WebSocket ??
      (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!ctor) {
      throw new TypeError("Cannot connect: no global WebSocket, pass one as options.WebSocket");
    }
    this.#url = url;
    this.#options = options;
    this.#WebSocket = ctor;
    this.#backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.#queue = new SendQueue(options.maxQueue ?? 1000);
    // A URL that cannot be parsed throws here, to the caller, not later in a timer.
    attemptUrl(url, null);
    this.#connect();
  }

  /** The member id from the server's Welcome; null until then or without one. */
  get id(): number | null {
    return this.#id;
  }

  /** The verified user from the Welcome, when the server authenticates. */
  get user(): string | null {
    return this.#user;
  }

  /** Seconds the server keeps this membership after a drop; 0 when it does not. */
  get resumeWindow(): number {
    return this.#resumeWindow;
  }

  get state(): ClientState {
    return this.#state;
  }

  /** Messages received in the current membership, as the server counts them. */
  get received(): number {
    return this.#received;
  }

  /** Messages waiting for the connection to come back. */
  get queued(): number {
    return this.#queue.size;
  }

  /** Adds a listener; the function returned removes it. */
  on<K extends keyof ClientEvents>(event: K, listener: Listener<ClientEvents[K]>): () => void {
    return this.#events.on(event, listener);
  }

  off<K extends keyof ClientEvents>(event: K, listener: Listener<ClientEvents[K]>): void {
    this.#events.off(event, listener);
  }

  /**
   * Sends now when connected, or queues until the connection is back. False when it went
   * nowhere: the queue is full (maxQueue) or the client is closed.
   */
  send(data: Outgoing): boolean {
    if (this.#state === "closed") return false;
    if (this.#state === "open" && this.#ws?.readyState === OPEN) {
      this.#ws.send(data as never);
      return true;
    }
    return this.#queue.push(data);
  }

  /** Closes for good: no reconnect, queued messages dropped, then the close event. */
  close(code = 1000, reason = ""): void {
    if (this.#state === "closed") return;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    const ws = this.#ws;
    this.#finish(code, reason);
    ws?.close(code, reason);
  }

  #connect(): void {
    this.#timer = null;
    const ask = this.#options.resume !== false;
    const ws = new this.#WebSocket(
      attemptUrl(this.#url, this.#point, ask),
      this.#options.protocols,
    );
    ws.binaryType = this.#options.binaryType ?? "arraybuffer";
    this.#ws = ws;
    this.#awaitingControl = ask;
    const mine = () => this.#ws === ws;
    ws.onopen = () => {
      if (!mine()) return;
      this.#openedAt = Date.now();
      if (!ask) this.#begin(null);
    };
    ws.onmessage = (e: { data: string | ArrayBuffer | Blob }) => mine() && this.#frame(e.data);
    ws.onclose = (e: { code: number; reason: string }) => mine() && this.#lost(e.code, e.reason);
    // Every error is followed by a close, which decides what happens next.
    ws.onerror = () => {};
  }

  #frame(data: string | ArrayBuffer | Blob): void {
    if (this.#awaitingControl) {
      this.#awaitingControl = false;
      const control = parseControl(data);
      if (control?.t === "Resumed" && this.#point) return this.#resumed(control);
      // A server that ignores resume sends data first: a membership without a Welcome.
      this.#begin(control);
      if (control) return;
    }
    this.#received++;
    if (this.#point) this.#point.received = this.#received;
    this.#events.emit("message", data);
  }

  /** A fresh membership: after an earlier one, the app hears it was lost first. */
  #begin(welcome: Welcome | null): void {
    if (this.#hadMember) this.#events.emit("reset", { reason: this.#lostBecause });
    this.#hadMember = true;
    this.#received = 0;
    this.#id = welcome?.id ?? null;
    this.#user = welcome?.user ?? null;
    this.#resumeWindow = welcome?.resume ?? 0;
    this.#point = welcome?.token ? { token: welcome.token, received: 0 } : null;
    this.#lostBecause = "the server keeps no dropped membership";
    this.#state = "open";
    // What waited goes first: a send from an open listener comes after it, in order.
    this.#flush();
    this.#events.emit("open", { id: this.#id, user: this.#user, resume: this.#resumeWindow });
  }

  #resumed(control: Welcome): void {
    this.#point = control.token ? { token: control.token, received: this.#received } : null;
    this.#resumeWindow = control.resume;
    this.#id = control.id;
    this.#state = "open";
    this.#flush();
    this.#events.emit("resumed", { id: control.id, missed: control.missed ?? 0 });
  }

  #flush(): void {
    for (const data of this.#queue.drain()) this.#ws?.send(data as never);
  }

  #lost(code: number, reason: string): void {
    this.#ws = null;
    if (code === RESUME_REFUSED) {
      // The membership is gone: join afresh at once, nothing to wait for.
      this.#point = null;
      this.#lostBecause = reason || "resume refused";
      return this.#retry(0, code, reason);
    }
    const again = this.#options.reconnect ?? ((c: number) => c !== 1000);
    if (!again(code, reason)) return this.#finish(code, reason);
    const stable = this.#options.stableAfter ?? 5000;
    if (this.#openedAt > 0 && Date.now() - this.#openedAt >= stable) this.#attempt = 0;
    this.#openedAt = 0;
    this.#retry(backoffDelay(this.#attempt++, this.#backoff), code, reason);
  }

  #retry(delay: number, code: number, reason: string): void {
    this.#state = "reconnecting";
    this.#events.emit("reconnecting", { attempt: this.#attempt, delay, code, reason });
    // A listener may have closed the client.
    if (this.#state === "reconnecting") this.#timer = setTimeout(() => this.#connect(), delay);
  }

  #finish(code: number, reason: string): void {
    this.#state = "closed";
    this.#ws = null;
    this.#queue.drain();
    this.#events.emit("close", { code, reason });
  }
}
