// Helpers shared by the framing and replay groups: ids, fresh rooms, clients that say who they are.
import assert from "node:assert/strict";
import { Client } from "../client.ts";

export const join = (id: number) => `{"t":"Join","_from":${id}}`;
export const leave = (id: number) => `{"t":"Leave","_from":${id}}`;
export const joined = (id: number) => `{"t":"joined","id":${id}}`;

/** A fresh room path, so no test sees another's clients or history. */
let rooms = 0;
export const fresh = (name: string, query = "") => `/${name}-${++rooms}${query}`;

/** Opens a client and reads its id from the first message, which must match re (group 1). */
export async function identified(
  url: string,
  re: RegExp,
  what: string,
): Promise<[Client, number, string]> {
  const c = await Client.open(url);
  const first = await c.text(what);
  const m = first.match(re);
  assert.ok(m, `expected ${what} matching ${re}, got ${JSON.stringify(first)}`);
  return [c, Number(m[1]), first];
}

/** A client of `--json cat`: cat echoes its join first, which says its id. */
export const chatter = (url: string) =>
  identified(url, /^\{"t":"Join","_from":(\d+)\}$/, "its own join echoed");

/** Sends `--json` game player lines for the child to print verbatim. */
export const say = (c: Client, ...lines: string[]) => c.send(JSON.stringify({ t: "say", lines }));
