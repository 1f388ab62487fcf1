// Unit tests for deploy/kubernetes: schema-valid objects, scalesocket flags that exist, and the
// timings and names that make a scale-down drain rooms instead of cutting them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  KUBE,
  kustomizeFiles,
  type Obj,
  readYaml,
  rel,
  schemaError,
  unknownFields,
} from "../deploy/kube.ts";
import { assertCommandLine, flagValue } from "../deploy/flags.ts";
import { createMetrics } from "../../src/server/metrics.ts";

// deploy/kubernetes with every component, the alternative autoscaler included.
const COMPONENTS = readdirSync(KUBE).filter((d) => statSync(join(KUBE, d)).isDirectory());
const FILES = [
  ...new Set([
    ...kustomizeFiles(KUBE),
    ...COMPONENTS.flatMap((c) => kustomizeFiles(join(KUBE, c))),
  ]),
];
const OBJECTS = FILES.flatMap((file) => readYaml(file).map((obj) => ({ file, obj })));

function only(kind: string): Obj {
  const found = OBJECTS.filter(({ obj }) => obj.kind === kind);
  assert.equal(found.length, 1, `expected one ${kind} in deploy/kubernetes, found ${found.length}`);
  return found[0].obj;
}

// deno-lint-ignore no-explicit-any
const at = (obj: Obj, path: string): any =>
  // deno-lint-ignore no-explicit-any
  path.split(".").reduce((o: any, k) => o?.[k], obj);

const deployment = only("Deployment");
const pod = at(deployment, "spec.template.spec");
const container = pod.containers[0];

test("every manifest kustomize names is valid against its Kubernetes or CRD schema", () => {
  assert.ok(OBJECTS.length >= 9, `only ${OBJECTS.length} objects found`);
  for (const { file, obj } of OBJECTS) {
    assert.equal(schemaError(obj), null, `${rel(file)}: ${obj.kind} is invalid`);
  }
});

test("no manifest has a field its schema does not know, such as a misspelt one", () => {
  for (const { file, obj } of OBJECTS) {
    assert.deepEqual(unknownFields(obj), [], `${rel(file)}: ${obj.kind} has unknown fields`);
  }
});

test("every YAML file under deploy/kubernetes is used by a kustomization or is adapter values", () => {
  const all = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => {
      const path = join(dir, f);
      return statSync(path).isDirectory() ? all(path) : [path];
    });
  const used = new Set(FILES);
  const strays = all(KUBE).filter((f) =>
    f.endsWith(".yaml") && !f.endsWith("kustomization.yaml") &&
    !f.endsWith("prometheus-adapter-values.yaml") && !used.has(f)
  );
  assert.deepEqual(strays.map(rel), [], "files that kubectl apply -k would silently skip");
});

test("the Deployment's command line uses only flags that scalesocket --help lists", () => {
  assertCommandLine(container.args, "deploy/kubernetes/deployment.yaml");
});

test("the Deployment advertises its pod IP from the downward API and reads the secret from a Secret", () => {
  assert.equal(flagValue(container.args, "--advertise"), "$(POD_IP):9000");
  const env = new Map(container.env.map((e: Obj) => [e.name, e]));
  assert.equal(at(env.get("POD_IP") as Obj, "valueFrom.fieldRef.fieldPath"), "status.podIP");
  const secret = at(env.get("SCALESOCKET_CLUSTER_SECRET") as Obj, "valueFrom.secretKeyRef");
  assert.ok(secret?.name && secret?.key, "SCALESOCKET_CLUSTER_SECRET must come from a Secret");
  assert.ok(
    !container.args.some((a: string) => a.startsWith("--cluster-secret")),
    "no secret in args",
  );
});

test("readiness is /ready and liveness is /health, on the container's port", () => {
  assert.equal(container.readinessProbe.httpGet.path, "/ready");
  assert.equal(container.livenessProbe.httpGet.path, "/health");
  const ports = container.ports.map((p: Obj) => p.name);
  assert.ok(ports.includes(container.readinessProbe.httpGet.port), "probe port is named");
});

test("the grace period covers the preStop pause, --drain, the stop time and 10 s", () => {
  const sleep = container.lifecycle.preStop.sleep.seconds;
  assert.ok(sleep > 0, "a preStop sleep lets the load balancers notice before SIGTERM");
  const drain = Number(flagValue(container.args, "--drain"));
  assert.ok(drain > 0, "--drain is given explicitly, so the grace period can be checked");
  const stop = 2; // the rooms' stop time with the default 15 s lease
  assert.ok(
    pod.terminationGracePeriodSeconds >= sleep + drain + stop + 10,
    `terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds} < ${sleep}+${drain}+${stop}+10`,
  );
});

test("the Service, PDB, ServiceMonitor and autoscalers select the Deployment's pods", () => {
  const labels = at(deployment, "spec.template.metadata.labels");
  const matches = (selector: Record<string, string>) =>
    Object.entries(selector).every(([k, v]) => labels[k] === v);
  const service =
    OBJECTS.find(({ obj }) => at(obj, "metadata.name") === "scalesocket" && obj.kind === "Service")!
      .obj;
  assert.ok(matches(at(service, "spec.selector")), "Service selector");
  assert.ok(matches(at(only("PodDisruptionBudget"), "spec.selector.matchLabels")), "PDB selector");
  const monitor = only("ServiceMonitor");
  assert.ok(
    matches(at(monitor, "spec.selector.matchLabels")),
    "ServiceMonitor selects the Service",
  );
  const servicePorts = at(service, "spec.ports").map((p: Obj) => p.name);
  assert.ok(servicePorts.includes(at(monitor, "spec.endpoints")[0].port), "ServiceMonitor port");
  assert.equal(
    at(only("ScaledObject"), "spec.scaleTargetRef.name"),
    at(deployment, "metadata.name"),
  );
  assert.equal(
    at(only("HorizontalPodAutoscaler"), "spec.scaleTargetRef.name"),
    at(deployment, "metadata.name"),
  );
});

test("/metrics is served, and the autoscalers ask for series the server exposes", async () => {
  assert.ok(container.args.includes("--metrics"), "the ServiceMonitor needs --metrics");
  assert.equal(at(only("ServiceMonitor"), "spec.endpoints")[0].path, "/metrics");
  const { body } = await createMetrics(() => ({ rooms: 1, connections: new Map([["r", 1]]) }), true)
    .scrape();
  const query = at(only("ScaledObject"), "spec.triggers")[0].metadata.query as string;
  const hpaMetric = at(only("HorizontalPodAutoscaler"), "spec.metrics")[0].pods.metric.name;
  const [adapter] = readYaml(join(KUBE, "hpa", "prometheus-adapter-values.yaml"));
  const served = at(adapter, "rules.custom").map((r: Obj) =>
    /^\w+/.exec(r.seriesQuery as string)![0]
  );
  assert.ok(served.includes(hpaMetric), `prometheus-adapter serves no ${hpaMetric}`);
  const names = [...query.matchAll(/scalesocket_\w+/g)].map((m) => m[0]).concat(served);
  for (const name of names) {
    assert.match(body, new RegExp(`^# TYPE ${name} `, "m"), `${name} is not in /metrics`);
  }
});

test("scale-down waits ten minutes and removes one pod at a time", () => {
  const keda = at(only("ScaledObject"), "spec.advanced.horizontalPodAutoscalerConfig.behavior");
  const hpa = at(only("HorizontalPodAutoscaler"), "spec.behavior");
  for (const [name, behavior] of [["ScaledObject", keda], ["HorizontalPodAutoscaler", hpa]]) {
    assert.ok(behavior.scaleDown.stabilizationWindowSeconds >= 600, `${name} scales down too soon`);
    assert.deepEqual(behavior.scaleDown.policies.map((p: Obj) => [p.type, p.value]), [["Pods", 1]]);
  }
});

test("the ingress hashes clients onto pods by the room's path", () => {
  const annotations = at(only("Ingress"), "metadata.annotations");
  assert.match(
    annotations["nginx.ingress.kubernetes.io/upstream-hash-by"],
    /\$uri|\$scalesocket_room/,
  );
});
