// Rooms for the failure tests: opened on a chosen node and waited for, reopened elsewhere with
// retries while the cluster refuses them for a while (503 while a room moves).
import { alive, waitFor } from "../e2e/harness.ts";
import { Client, Refused } from "../e2e/client.ts";
import { type Run, runs } from "./epochs.ts";
import type { TestCluster, TestNode } from "./nodes.ts";

/** One client per room on node, each room's child seen running; returns the clients. */
export async function openRooms(c: TestCluster, node: TestNode, rooms: string[]) {
  const clients = await Promise.all(rooms.map((r) => Client.open(node.ws(`/${r}`))));
  for (const room of rooms) {
    await waitFor(() => runs(c.dir, room).length > 0, `room ${room}'s child to run`);
  }
  return clients;
}

/** The room's latest run. */
export function latest(c: TestCluster, room: string): Run {
  const list = runs(c.dir, room);
  if (list.length === 0) throw new Error(`room ${room} never ran`);
  return list[list.length - 1];
}

/**
 * Opens the room on node, again and again while it is refused with 503 (moving, recovering,
 * store unreachable), until it opens or ms pass; resolves with the client.
 */
export async function reopen(
  node: TestNode,
  room: string,
  ms: number,
  refusals: string[] = [],
): Promise<Client> {
  const deadline = Date.now() + ms;
  let last = "";
  while (Date.now() < deadline) {
    try {
      return await Client.open(node.ws(`/${room}`));
    } catch (err) {
      if (!(err instanceof Refused) || err.status !== 503) throw err;
      last = `${err.status} ${err.body.trim()}`;
      refusals.push(last);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`room ${room} did not open on ${node.id} within ${ms} ms (last: ${last})`);
}

/** Resolves once every pid is gone, failing after ms with those still alive. */
export async function allDead(pids: number[], what: string, ms: number): Promise<void> {
  await waitFor(() => pids.every((p) => !alive(p)), what, ms).catch(() => {
    throw new Error(`${what}: still alive after ${ms} ms: ${pids.filter(alive).join(" ")}`);
  });
}

/** The node the room's latest child ran on, or null before it ran. */
export function ranOn(c: TestCluster, room: string): string | null {
  return runs(c.dir, room).at(-1)?.node ?? null;
}
