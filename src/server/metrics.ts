// --metrics: the rooms' counters as OpenMetrics text, through prom-client.
import client from "prom-client";
import type { Gauges } from "../room/door.ts";
import type { Stats } from "../room/stats.ts";
import { type ClusterStats, NO_CLUSTER_STATS } from "../cluster/stats.ts";
import { clusterSeries } from "./metrics-cluster.ts";

export interface Metrics {
  stats: Stats;
  cluster: ClusterStats;
  /** The exposition and its content type, for GET /metrics. */
  scrape(): Promise<{ body: string; contentType: string }>;
}

const encoder = new TextEncoder();

/** gauges is asked at every scrape: what is open now is read, never counted twice. */
export function createMetrics(gauges: () => Gauges, cluster = false): Metrics {
  const registry = new client.Registry<client.OpenMetricsContentType>();
  registry.setContentType(client.Registry.OPENMETRICS_CONTENT_TYPE);
  const registers = [registry];
  const counter = (name: string, help: string, labelNames: string[] = []) =>
    new client.Counter({ name, help, labelNames, registers });

  // ScaleSocket's two series keep their names, so existing dashboards keep working.
  const connections = counter(
    "scalesocket_websocket_connections_total",
    "Websocket connections accepted, by room",
    ["room"],
  );
  // A room's series is absent at 0, so rooms that come and go leave no trail of zero gauges.
  new client.Gauge({
    name: "scalesocket_websocket_connections_open",
    help: "Websocket connections open now, by room",
    labelNames: ["room"],
    registers,
    collect() {
      this.reset();
      for (const [room, n] of gauges().connections) this.set({ room }, n);
    },
  });
  new client.Gauge({
    name: "scalesocket_rooms_open",
    help: "Rooms alive now (one process each)",
    registers,
    collect() {
      this.set(gauges().rooms);
    },
  });
  const spawned = counter("scalesocket_processes_spawned_total", "Processes started");
  const exited = counter(
    "scalesocket_processes_exited_total",
    "Processes ended, by outcome: ok, error (non-zero exit), signal, spawn_failed",
    ["outcome"],
  );
  const spawnSeconds = new client.Histogram({
    name: "scalesocket_spawn_seconds",
    help: "Time to start a room's process",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers,
  });
  const messagesIn = counter(
    "scalesocket_messages_in_total",
    "Client messages written to processes",
  );
  const bytesIn = counter("scalesocket_bytes_in_total", "Bytes written to processes for clients");
  const messagesOut = counter(
    "scalesocket_messages_out_total",
    "Messages sent to clients (one per recipient)",
  );
  const bytesOut = counter(
    "scalesocket_bytes_out_total",
    "Bytes sent to clients (once per recipient)",
  );
  const refused = counter(
    "scalesocket_connections_refused_total",
    "Connections refused before the upgrade, by reason",
    ["reason"],
  );
  const dropped = counter(
    "scalesocket_messages_dropped_total",
    "Client messages dropped, by reason",
    ["reason"],
  );
  const slow = counter("scalesocket_slow_client_closes_total", "Clients closed as too slow (1008)");
  const overflow = counter(
    "scalesocket_input_overflow_closes_total",
    "Clients closed for overfilling a process that does not read (1008)",
  );
  const rateLimited = counter(
    "scalesocket_rate_limit_closes_total",
    "Clients closed for sending faster than --ratelimit allows (1008)",
  );
  const resumes = counter(
    "scalesocket_resumes_total",
    "Returns with a resume token, by result: resumed, refused, lost (missed output dropped)",
    ["result"],
  );
  new client.Gauge({
    name: "scalesocket_suspended_members",
    help: "Members whose connection dropped, kept for a return (--resume)",
    registers,
    collect() {
      this.set(gauges().suspended ?? 0);
    },
  });
  const restarts = counter(
    "scalesocket_process_restarts_total",
    "Crashed processes started again for their clients (--restart)",
  );

  const stats: Stats = {
    accepted: (room) => connections.inc({ room }),
    refused: (reason) => refused.inc({ reason }),
    spawned(seconds) {
      spawned.inc();
      spawnSeconds.observe(seconds);
    },
    exited: (outcome) => exited.inc({ outcome }),
    received(bytes) {
      messagesIn.inc();
      bytesIn.inc(bytes);
    },
    delivered(msg, recipients) {
      if (recipients === 0) return;
      const bytes = typeof msg === "string" ? encoder.encode(msg).byteLength : msg.byteLength;
      messagesOut.inc(recipients);
      bytesOut.inc(bytes * recipients);
    },
    // Label values in snake case: "not a JSON object" → not_a_json_object.
    dropped: (reason) => dropped.inc({ reason: reason.toLowerCase().replace(/\W+/g, "_") }),
    slowClient: () => slow.inc(),
    inputOverflow: () => overflow.inc(),
    rateLimited: () => rateLimited.inc(),
    resumed: (result) => resumes.inc({ result }),
    restarted: () => restarts.inc(),
  };
  return {
    stats,
    cluster: cluster ? clusterSeries(registers, () => gauges().cluster) : NO_CLUSTER_STATS,
    scrape: async () => ({ body: await registry.metrics(), contentType: registry.contentType }),
  };
}
