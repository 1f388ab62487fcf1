// What happens in the rooms, counted: an interface, so counting costs nothing without
// --metrics, and the exposition format stays out of the rooms. What is open now (rooms,
// connections) is not counted here: /metrics asks the registry at scrape time.

export type ExitOutcome = "ok" | "error" | "signal" | "spawn_failed";

export interface Stats {
  /** A websocket connection accepted into this room. */
  accepted(room: string): void;
  /** A connection refused before the upgrade, by reason ("invalid_room", "too_many_rooms" …). */
  refused(reason: string): void;
  spawned(seconds: number): void;
  exited(outcome: ExitOutcome): void;
  /** A client message that reached the child. */
  received(bytes: number): void;
  /** One output message sent to `recipients` clients. */
  delivered(msg: string | Uint8Array, recipients: number): void;
  /** A client message dropped, by reason ("not a JSON object" …). */
  dropped(reason: string): void;
  /** A client closed for not keeping up with the room's output. */
  slowClient(): void;
  /** A client closed for feeding a child that does not read. */
  inputOverflow(): void;
  /** A client closed for sending faster than --ratelimit allows. */
  rateLimited(): void;
  /** A return with a resume token: resumed, refused, or lost (what it missed was dropped). */
  resumed(result: "resumed" | "refused" | "lost"): void;
  /** A room's crashed process started again (--restart). */
  restarted(): void;
}

const nothing = () => {};
/** Counts nothing: the default without --metrics. */
export const NO_STATS: Stats = {
  accepted: nothing,
  refused: nothing,
  spawned: nothing,
  exited: nothing,
  received: nothing,
  delivered: nothing,
  dropped: nothing,
  slowClient: nothing,
  inputOverflow: nothing,
  rateLimited: nothing,
  resumed: nothing,
  restarted: nothing,
};
