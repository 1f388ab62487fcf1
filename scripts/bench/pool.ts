// The load workers: started once, given their share of the clients, asked in parallel.
import { type ChildProcess, spawn } from "node:child_process";
import type { Bursted, Order, Reply, RunResult } from "./protocol.ts";
import { Hist } from "./hist.ts";
import { NODE } from "./peers.ts";

export interface Opened {
  ok: number;
  failed: number;
  errors: string[];
}

export class Pool {
  private readonly workers: ChildProcess[];

  constructor(script: string, size: number) {
    // Plain node rather than fork(): no tsx loader inherited, and node under Deno too.
    this.workers = Array.from(
      { length: size },
      () => spawn(NODE, [script], { stdio: ["ignore", "inherit", "inherit", "ipc"] }),
    );
  }

  get pids(): number[] {
    return this.workers.map((w) => w.pid!);
  }

  private ask(w: ChildProcess, o: Order): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`Load worker exited with ${code}`));
      w.once("exit", onExit);
      w.once("message", (r: Reply) => {
        w.off("exit", onExit);
        resolve(r);
      });
      w.send(o);
    });
  }

  /** Splits urls over the workers in contiguous slices; client i of the run is urls[i]. */
  private split(urls: string[]): { first: number; urls: string[] }[] {
    const per = Math.ceil(urls.length / this.workers.length);
    return this.workers.map((_, w) => ({
      first: w * per,
      urls: urls.slice(w * per, (w + 1) * per),
    }));
  }

  async open(urls: string[], concurrency = 64): Promise<Opened> {
    const parts = this.split(urls);
    const replies = await Promise.all(
      this.workers.map((w, i) =>
        this.ask(w, { t: "open", ...parts[i], concurrency: Math.ceil(concurrency / parts.length) })
      ),
    );
    const out: Opened = { ok: 0, failed: 0, errors: [] };
    for (const r of replies) {
      if (r.t !== "opened") continue;
      out.ok += r.ok;
      out.failed += r.failed;
      out.errors.push(...r.errors);
    }
    return out;
  }

  /**
   * Runs traffic on the open clients. `trigger` names clients by their index in open's urls;
   * each sends the text once when the run starts.
   */
  async run(
    o: Omit<Extract<Order, { t: "run" }>, "t">,
  ): Promise<RunResult & { histogram: Hist }> {
    await Promise.all(this.workers.map((w) => this.ask(w, { t: "run", ...o })));
    const replies = await Promise.all(this.workers.map((w) => this.ask(w, { t: "go" })));
    const histogram = new Hist();
    const out = { received: 0, complete: 0, started: Infinity, last: 0, closes: {} } as RunResult;
    for (const r of replies) {
      if (r.t !== "ran") continue;
      out.received += r.received;
      out.complete += r.complete;
      if (r.started > 0) out.started = Math.min(out.started, r.started);
      out.last = Math.max(out.last, r.last);
      histogram.merge(r.hist);
      for (const [code, n] of Object.entries(r.closes)) {
        out.closes[code] = (out.closes[code] ?? 0) + n;
      }
    }
    return { ...out, t: "ran", hist: histogram.counts, histogram };
  }

  /** Runs one short session (connect, echo, close) per url; returns totals and the wall time. */
  async storm(urls: string[], concurrency: number, timeoutMs: number) {
    const parts = this.split(urls);
    const replies = await Promise.all(this.workers.map((w, i) =>
      this.ask(w, {
        t: "storm",
        ...parts[i],
        concurrency: Math.ceil(concurrency / parts.length),
        timeoutMs,
      })
    ));
    const histogram = new Hist();
    const out = { ok: 0, failed: 0, errors: [] as string[], ms: 0, histogram };
    for (const r of replies) {
      if (r.t !== "stormed") continue;
      out.ok += r.ok;
      out.failed += r.failed;
      out.errors.push(...r.errors);
      out.ms = Math.max(out.ms, r.ms);
      histogram.merge(r.hist);
    }
    return out;
  }

  /**
   * The fresh client, then the crowd, all from the first worker: from one process the crowd's
   * handshakes can only reach the server after the fresh client's. Then close().
   */
  async burst(fresh: string, crowd: string[], timeoutMs: number): Promise<Bursted> {
    const r = await this.ask(this.workers[0], { t: "burst", fresh, crowd, timeoutMs });
    if (r.t !== "bursted") throw new Error(`Load worker answered ${r.t} to a burst`);
    return r;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => this.ask(w, { t: "close" })));
  }

  end(): void {
    for (const w of this.workers) w.disconnect();
  }
}
