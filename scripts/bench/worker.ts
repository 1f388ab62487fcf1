// A load worker: a process holding many `ws` clients, driven by the coordinator over IPC.
// Several of them split the clients, so that the load is spread over the cores.
import type { Socket } from "node:net";
import process from "node:process";
import WebSocket from "ws";
import { firstFrame, handshake } from "./handshake.ts";
import { Hist } from "./hist.ts";
import { field, nowUs, type Order, payload, type Reply, wallUs } from "./protocol.ts";

interface Client {
  ws: WebSocket;
  /** Global index: what this client writes as the sender of its messages. */
  gid: number;
  received: number;
  sent: number;
  inflight: number;
}

let clients: Client[] = [];
/** Sockets that only made a handshake (a burst's crowd), closed with the clients. */
let raws: Socket[] = [];
const closes: Record<string, number> = {};

function reply(r: Reply): void {
  process.send!(r);
}

function connect(url: string, gid: number): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const fail = (why: string) => {
      ws.terminate();
      reject(new Error(why));
    };
    ws.once("unexpected-response", (_req, res) => fail(`HTTP ${res.statusCode}`));
    ws.once("error", (err) => fail(err.message));
    ws.once("open", () => {
      ws.removeAllListeners("error");
      ws.on("error", () => {});
      ws.on("close", (code) => closes[code] = (closes[code] ?? 0) + 1);
      resolve({ ws, gid, received: 0, sent: 0, inflight: 0 });
    });
  });
}

/** Runs fn over items with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, fn: (item: T, i: number) => Promise<void>) {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

async function open(first: number, urls: string[], concurrency: number): Promise<void> {
  const errors = new Set<string>();
  let failed = 0;
  const opened: Client[] = [];
  await pool(urls, concurrency, async (url, i) => {
    try {
      opened[i] = await connect(url, first + i);
    } catch (err) {
      failed++;
      errors.add((err as Error).message);
    }
  });
  const fresh = opened.filter(Boolean);
  clients = clients.concat(fresh);
  reply({ t: "opened", ok: fresh.length, failed, errors: [...errors].slice(0, 5) });
}

/** What `go` starts: the run armed last. */
let start: (() => void) | null = null;

/**
 * Arms a run: every client listens before any client of any worker sends, so no message
 * reaches a client that is not counting yet. `go` then starts it; its end is the reply.
 */
function arm(o: Extract<Order, { t: "run" }>): void {
  const hist = new Hist();
  let started = 0;
  let last = 0;
  let pending = clients.length;
  let finished = false;
  for (const k of Object.keys(closes)) delete closes[k];
  const finish = () => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    clearInterval(pacer);
    for (const c of clients) c.ws.removeAllListeners("message");
    const received = clients.reduce((n, c) => n + c.received, 0);
    const complete = clients.filter((c) => c.received >= o.expect).length;
    reply({ t: "ran", received, complete, started, last, hist: hist.counts, closes });
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pacer: ReturnType<typeof setInterval> | undefined;
  const sendNext = (c: Client) => {
    c.ws.send(payload(c.gid, c.sent++));
    c.inflight++;
  };
  for (const c of clients) {
    c.received = c.sent = c.inflight = 0;
    c.ws.on("message", (data: Buffer) => {
      const at = nowUs();
      last = at;
      const sent = field(data, 0);
      if (sent >= 0) hist.add(at - sent);
      if (++c.received === o.expect && --pending === 0) finish();
      // Closed loop: one of our own came back, so another may go.
      if (!o.every && o.send > 0 && c.gid < o.senders && field(data, 1) === c.gid) {
        c.inflight--;
        if (c.sent < o.send) sendNext(c);
      }
    });
  }
  start = () => {
    if (pending === 0 || o.expect === 0) return void setImmediate(finish);
    timer = setTimeout(finish, o.timeoutMs);
    const ids = new Set(o.trigger?.clients);
    const triggers = clients.filter((c) => ids.has(c.gid));
    const senders = o.send > 0 ? clients.filter((c) => c.gid < o.senders) : [];
    if (triggers.length > 0 || senders.length > 0) started = nowUs();
    for (const c of triggers) c.ws.send(o.trigger!.text);
    if (!o.every) {
      for (const c of senders) while (c.sent < o.send && c.inflight < o.window) sendNext(c);
      return;
    }
    const tick = () => {
      for (const c of senders) if (c.sent < o.send) sendNext(c);
    };
    tick();
    pacer = setInterval(tick, o.every);
  };
  reply({ t: "armed" });
}

/** Connects, sends one message, waits for its echo and closes: one short session per URL. */
async function storm(o: Extract<Order, { t: "storm" }>): Promise<void> {
  const hist = new Hist();
  const errors = new Set<string>();
  let ok = 0;
  let failed = 0;
  const t0 = nowUs();
  const deadline = Date.now() + o.timeoutMs;
  await pool(o.urls, o.concurrency, async (url, i) => {
    if (Date.now() > deadline) return void failed++;
    const begin = nowUs();
    try {
      const c = await connect(url, o.first + i);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no echo")), 10_000);
        c.ws.once("message", () => {
          clearTimeout(timer);
          resolve();
        });
        c.ws.once("close", (code) => reject(new Error(`closed with ${code}`)));
        c.ws.send(payload(c.gid, 0));
      });
      hist.add(nowUs() - begin);
      ok++;
      c.ws.close(1000);
    } catch (err) {
      failed++;
      errors.add((err as Error).message);
    }
  });
  const ms = (nowUs() - t0) / 1000;
  reply({ t: "stormed", ok, failed, errors: [...errors].slice(0, 5), hist: hist.counts, ms });
}

/**
 * Opens the fresh client, then at once every crowd client: how long the fresh client's room
 * took to start its child (which prints its wall-clock start), and to send the first byte,
 * counted from the fresh client's TCP connection. All are bare TCP sockets that send a
 * handshake: ws clients would cost the load worker more than the server.
 */
async function burst(o: Extract<Order, { t: "burst" }>): Promise<void> {
  const errors = new Set<string>();
  let begin = 0;
  const shaken = handshake(o.fresh, () => begin = wallUs());
  shaken.then(({ s }) => raws.push(s), () => {});
  const fresh = shaken.then(firstFrame).then((data) => {
    const started = Number(BigInt(data.toString().trim()) / 1000n);
    return [started - begin, wallUs() - begin];
  });
  const crowd = o.crowd.map((url) =>
    handshake(url).then(({ s }) => s, (err) => void errors.add((err as Error).message))
  );
  const opened = (await Promise.all(crowd)).filter((s): s is Socket => !!s);
  raws = raws.concat(opened);
  let spawnUs: number | null = null, firstUs: number | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error("no first byte")), o.timeoutMs);
  });
  try {
    [spawnUs, firstUs] = await Promise.race([fresh, late]);
  } catch (err) {
    errors.add((err as Error).message);
  } finally {
    clearTimeout(timer);
  }
  const failed = o.crowd.length - opened.length;
  reply({ t: "bursted", spawnUs, firstUs, ok: opened.length, failed, errors: [...errors] });
}

async function close(): Promise<void> {
  for (const s of raws) s.destroy();
  raws = [];
  await Promise.all(clients.map((c) =>
    new Promise<void>((resolve) => {
      if (c.ws.readyState === WebSocket.CLOSED) return resolve();
      const timer = setTimeout(() => (c.ws.terminate(), resolve()), 2000);
      c.ws.once("close", () => (clearTimeout(timer), resolve()));
      c.ws.close(1000);
    })
  ));
  clients = [];
  reply({ t: "closed" });
}

process.on("message", (o: Order) => {
  if (o.t === "open") void open(o.first, o.urls, o.concurrency);
  else if (o.t === "run") arm(o);
  else if (o.t === "go") start?.();
  else if (o.t === "storm") void storm(o);
  else if (o.t === "burst") void burst(o);
  else void close();
});
process.on("disconnect", () => process.exit(0));
