// What cluster mode counts, for /metrics; counting nothing costs nothing without --metrics.

export type ClaimResult = "won" | "held" | "quiet" | "error";

export interface ClusterStats {
  claim(result: ClaimResult): void;
  /** A renewal that failed or was not answered (the lease may still be ours). */
  renewFailed(): void;
  /** A room stopped because its lease was lost or not renewed in time. */
  leaseLost(): void;
  /** The watchdog signalled a room's process group at a deadline. */
  watchdogKill(): void;
}

/** What is true now, read at scrape time. */
export interface ClusterGauges {
  /** Rooms whose lease this node holds. */
  leases: number;
  /** Clients of this node relayed to the owners of their rooms. */
  relayed: number;
  redisUp: boolean;
}

const nothing = () => {};
export const NO_CLUSTER_STATS: ClusterStats = {
  claim: nothing,
  renewFailed: nothing,
  leaseLost: nothing,
  watchdogKill: nothing,
};
