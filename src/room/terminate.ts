// How a room's child is stopped: websocketd's sequence as a table, sent to the process group.
import type { Child, StopSignal } from "../runtime/types.ts";

/**
 * Each step acts, then waits up to `waitMs` (+ --closems) for the whole group to be gone.
 * Same order and waits as websocketd's ProcessEndpoint.Terminate; unlike websocketd every
 * signal goes to the process group, so grandchildren do not outlive the room.
 */
export const TERMINATION: readonly { action: "close-stdin" | StopSignal; waitMs: number }[] = [
  { action: "close-stdin", waitMs: 100 },
  { action: "SIGINT", waitMs: 250 },
  { action: "SIGTERM", waitMs: 500 },
  { action: "SIGKILL", waitMs: 1000 },
];

/** How often a group whose leader has exited is probed for stragglers. */
const PROBE_MS = 20;

/** Runs the table until the child and its group are gone; resolves with the step that did it. */
export async function terminate(child: Child, closeMs: number): Promise<string> {
  let leaderDone = false;
  child.exited.then(() => leaderDone = true);
  for (const step of TERMINATION) {
    if (leaderDone && !child.groupAlive()) return "already gone";
    if (step.action === "close-stdin") child.closeStdin();
    else child.signalGroup(step.action);
    if (await gone(child, () => leaderDone, step.waitMs + closeMs)) return step.action;
  }
  return "unkillable";
}

/** Ends a group whose leader already exited on its own (its grandchildren may linger). */
export function reapGroup(child: Child, closeMs: number): Promise<string> | null {
  return child.groupAlive() ? terminate(child, closeMs) : null;
}

async function gone(child: Child, leaderDone: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  if (!leaderDone()) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      child.exited,
      new Promise((r) => timer = setTimeout(r, ms)),
    ]);
    clearTimeout(timer);
  }
  // The leader is gone (or time is up): wait for the rest of the group until the deadline.
  while (leaderDone()) {
    if (!child.groupAlive()) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await new Promise((r) => setTimeout(r, Math.min(PROBE_MS, left)));
  }
  return false;
}
