// What a room is given: its configuration, runtime, hooks back to its registry, and program.
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import type { Runtime } from "../runtime/types.ts";
import type { History } from "./history.ts";
import type { Room } from "./room.ts";
import type { Stats } from "./stats.ts";

export interface RoomHooks {
  /** The room takes no more members (its child is stopping or gone); called once. */
  detached(room: Room): void;
  /** The room's child and process group are gone and its members closed. */
  ended(room: Room): void;
  /** The room's child runs as process (and process group) pid (cluster mode's watchdog). */
  started?(room: Room, pid: number): void;
}

/** What a room runs. */
export interface Program {
  cmd: string;
  args: string[];
}

export interface RoomDeps {
  config: Config;
  runtime: Runtime;
  log: Logger;
  hooks: RoomHooks;
  stats: Stats;
  /** Output kept for replay (--cache); null when not caching. */
  history: History | null;
  program: Program;
  /** --tcp: the child's PORT once found, null when none was free; absent without --tcp. */
  port?: Promise<number | null>;
}
