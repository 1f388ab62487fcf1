// Helpers of the --resume group: clients that ask for a Welcome, cut their TCP connection
// without a close frame, and come back with their token and the count of what they received.
import assert from "node:assert/strict";
import type { Socket } from "node:net";
import { Client, type Received } from "../client.ts";

export interface Greeting {
  t: string;
  id: number;
  resume: number;
  token?: string;
  missed?: number;
  user?: string;
}

/** A client and what it has counted: every data frame after its Welcome or Resumed. */
export class Counted {
  received = 0;
  constructor(readonly c: Client, readonly greeting: Greeting) {}

  async next(what: string): Promise<Received> {
    const m = await this.c.next(what);
    this.received++;
    return m;
  }

  async text(what: string): Promise<string> {
    const m = await this.next(what);
    assert.equal(m.binary, false, `${what} is a text frame`);
    return m.data as string;
  }

  /** Drops the TCP connection with no close frame, as a train entering a tunnel does. */
  async cut(): Promise<void> {
    (this.c.ws as unknown as { _socket: Socket })._socket.destroy();
    const closed = await this.c.closedWithin();
    assert.equal(closed.code, 1006, "the cut connection closed without a close frame");
  }
}

const withQuery = (url: string, q: string) => url + (url.includes("?") ? "&" : "?") + q;

async function greeted(url: string, kind: string): Promise<Counted> {
  const c = await Client.open(url);
  const first = await c.next(`the ${kind} frame`);
  assert.equal(first.binary, false, `the ${kind} is a text frame`);
  const g = JSON.parse(first.data as string) as Greeting;
  assert.equal(g.t, kind, `the first frame is a ${kind}: ${first.data}`);
  return new Counted(c, g);
}

/** A fresh membership that asks for a Welcome (?resume=1). */
export function welcomed(url: string): Promise<Counted> {
  return greeted(withQuery(url, "resume=1"), "Welcome");
}

/** A return with the token of `from` and the count it received. */
export function resumed(url: string, from: Counted): Promise<Counted> {
  return greeted(withQuery(url, returnQuery(from.greeting.token!, from.received)), "Resumed")
    .then((back) => {
      back.received = from.received;
      return back;
    });
}

export const returnQuery = (token: string, received: number) =>
  `resume=${token}&received=${received}`;

/** A return that must be refused: the socket opens, then closes with 4410 and this reason. */
export async function refusedReturn(url: string, reason: string): Promise<void> {
  const c = await Client.open(url);
  const closed = await c.closedWithin();
  assert.deepEqual(closed, { code: 4410, reason }, `${url} is refused with 4410`);
  assert.deepEqual(c.pending(), [], "a refused return is sent nothing");
}
