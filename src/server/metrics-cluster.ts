// --metrics with --cluster: the cluster's series, beside the rooms' (metrics.ts).
import client from "prom-client";
import type { ClusterGauges, ClusterStats } from "../cluster/stats.ts";

export function clusterSeries(
  registers: client.Registry<client.OpenMetricsContentType>[],
  gauges: () => ClusterGauges | undefined,
): ClusterStats {
  const gauge = (name: string, help: string, read: (g: ClusterGauges) => number) =>
    new client.Gauge({
      name,
      help,
      registers,
      collect() {
        const g = gauges();
        if (g) this.set(read(g));
      },
    });
  gauge("scalesocket_cluster_leases", "Room leases this node holds", (g) => g.leases);
  gauge(
    "scalesocket_cluster_relayed_connections",
    "Clients of this node relayed to their room's owner",
    (g) => g.relayed,
  );
  gauge("scalesocket_cluster_redis_up", "1 while Redis answers", (g) => g.redisUp ? 1 : 0);
  const claims = new client.Counter({
    name: "scalesocket_cluster_claims_total",
    help: "Lease claims, by result: won, held (another node owns the room), quiet, error",
    labelNames: ["result"],
    registers,
  });
  const counter = (name: string, help: string) => new client.Counter({ name, help, registers });
  const renewFailures = counter(
    "scalesocket_cluster_renew_failures_total",
    "Lease renewals that failed or got no answer",
  );
  const lost = counter(
    "scalesocket_cluster_leases_lost_total",
    "Rooms stopped because their lease was lost or not renewed in time",
  );
  const kills = counter(
    "scalesocket_cluster_watchdog_kills_total",
    "Signals the watchdog sent to room process groups at their deadlines",
  );
  return {
    claim: (result) => claims.inc({ result }),
    renewFailed: () => renewFailures.inc(),
    leaseLost: () => lost.inc(),
    watchdogKill: () => kills.inc(),
  };
}
