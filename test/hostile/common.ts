// What every hostile group shares: a bystander in another room whose echo proves the server
// still serves everyone else, and small waiting helpers.
import assert from "node:assert/strict";
import type { Running } from "../e2e/harness.ts";
import { Client } from "../e2e/client.ts";

/** A client in a room of its own; roundTrip() fails if the server stopped serving it. */
export class Bystander {
  private n = 0;
  private constructor(private readonly client: Client) {}

  static async join(s: Running, room = "/bystander"): Promise<Bystander> {
    return new Bystander(await Client.open(s.ws(room)));
  }

  /** An echo through the bystander's room, within ms. */
  async roundTrip(after: string, ms = 5_000): Promise<void> {
    const msg = `still here ${++this.n}`;
    this.client.send(msg);
    assert.equal(
      await this.client.text(`the bystander's echo after ${after}`, ms),
      msg,
      `the bystander's room stopped echoing after ${after}`,
    );
  }

  close(): Promise<unknown> {
    return this.client.close();
  }
}

/** The promise's value, or a failure naming what did not happen within ms. */
export function within<T>(p: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Stops a server with SIGTERM, and with SIGKILL if it has not exited within ms: a server a
 * test left wedged must not hang the suite. Resolves with how it ended.
 */
export async function stopWithin(s: Running | undefined, ms = 5_000): Promise<string> {
  if (!s) return "never started";
  const timer = setTimeout(() => void s.stop("SIGKILL"), ms);
  try {
    const e = await s.stop("SIGTERM");
    return e.signal === "SIGKILL" ? `killed after ${ms} ms` : `exited ${e.code}`;
  } finally {
    clearTimeout(timer);
  }
}
