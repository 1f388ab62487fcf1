// How big each scenario is: the full bench (a few minutes), --quick (about one) and --tiny
// (seconds, for the smoke test: it checks that the harness runs, not how fast anything is).

export interface Plan {
  name: "full" | "quick" | "tiny";
  /** Deliveries per second of the paced pass that measures fan-out latency, and its length. */
  pacedRate: number;
  pacedSeconds: number;
  /** Clients per room in fan-out, and in chat. */
  ks: number[];
  chatKs: number[];
  /** Messages delivered per fan-out run (N = total / K) and per rooms run. */
  fanoutTotal: number;
  /** Messages delivered per chat run (M = total / K²). */
  chatTotal: number;
  echoKs: number[];
  /** Round trips per echo run (M = total / K). */
  echoTotal: number;
  /** Rooms scenario shapes: [R rooms, K clients each]. */
  rooms: [number, number][];
  idleConns: number;
  idleRooms: number;
  stormSessions: number;
  stormConcurrency: number;
  /** Burst: clients connecting at once while a new room starts, and how many times. */
  burstCrowd: number;
  burstReps: number;
  startupReps: number;
  /** Clients per room in the cluster's fan-out and chat. */
  clusterKs: number[];
  /** Longest a single run may take before it is reported incomplete. */
  timeoutMs: number;
  /** Pause for the server to settle (children started, memory measured after connecting). */
  settleMs: number;
  /** Throughput passes per traffic run; the best counts (others' load only slows one down). */
  repeats: number;
}

export const PLANS: Record<Plan["name"], Plan> = {
  full: {
    name: "full",
    pacedRate: 10_000,
    pacedSeconds: 2,
    ks: [10, 100, 1000],
    chatKs: [10, 100, 1000],
    fanoutTotal: 300_000,
    chatTotal: 200_000,
    echoKs: [10, 100],
    echoTotal: 30_000,
    rooms: [[10, 10], [100, 10]],
    idleConns: 1000,
    idleRooms: 100,
    stormSessions: 500,
    stormConcurrency: 16,
    burstCrowd: 300,
    burstReps: 7,
    startupReps: 10,
    clusterKs: [10, 100],
    timeoutMs: 60_000,
    settleMs: 1000,
    repeats: 2,
  },
  quick: {
    name: "quick",
    pacedRate: 10_000,
    pacedSeconds: 0.5,
    ks: [10, 100, 1000],
    chatKs: [100],
    fanoutTotal: 100_000,
    chatTotal: 100_000,
    echoKs: [10],
    echoTotal: 10_000,
    rooms: [[10, 10]],
    idleConns: 200,
    idleRooms: 20,
    stormSessions: 50,
    stormConcurrency: 16,
    burstCrowd: 300,
    burstReps: 3,
    startupReps: 3,
    clusterKs: [10, 100],
    timeoutMs: 20_000,
    settleMs: 500,
    repeats: 1,
  },
  tiny: {
    name: "tiny",
    pacedRate: 1_000,
    pacedSeconds: 0.2,
    ks: [2],
    chatKs: [2],
    fanoutTotal: 200,
    chatTotal: 40,
    echoKs: [2],
    echoTotal: 20,
    rooms: [[2, 2]],
    idleConns: 4,
    idleRooms: 2,
    stormSessions: 4,
    stormConcurrency: 2,
    burstCrowd: 4,
    burstReps: 1,
    startupReps: 1,
    clusterKs: [2],
    timeoutMs: 5_000,
    settleMs: 100,
    repeats: 1,
  },
};
