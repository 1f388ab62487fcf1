// The close codes rooms send their members, and the one a child's exit status calls for.
import type { ExitStatus } from "../runtime/types.ts";

export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  restart: 1012,
  policy: 1008,
  tooBig: 1009,
  error: 1011,
} as const;

/** 1000 for a clean exit; 1011 with the exit code or the signal otherwise. */
export function closeFor(s: ExitStatus): [number, string] {
  if (s.signal) return [CLOSE.error, `killed by ${s.signal}`];
  return s.code === 0 ? [CLOSE.normal, ""] : [CLOSE.error, `process exited with code ${s.code}`];
}
