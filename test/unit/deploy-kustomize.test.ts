// Unit tests building deploy/kubernetes with kustomize itself (kubectl's), where installed: the
// default set and the alternatives, whose patched objects are validated like the files.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parseAllDocuments } from "yaml";
import { KUBE, type Obj, schemaError, unknownFields } from "../deploy/kube.ts";

const hasKubectl = spawnSync("kubectl", ["version", "--client"], { stdio: "ignore" }).status === 0;

// deno-lint-ignore no-explicit-any
const at = (obj: Obj, path: string): any =>
  // deno-lint-ignore no-explicit-any
  path.split(".").reduce((o: any, k) => o?.[k], obj);

test("kustomize builds the default set: the core objects, KEDA and the ServiceMonitor", (t) => {
  if (!hasKubectl) {
    t.skip("no kubectl here; deploy-kubernetes.test.ts reads kustomize's file lists by hand");
    return;
  }
  const run = spawnSync("kubectl", ["kustomize", KUBE], { encoding: "utf8", timeout: 30_000 });
  assert.equal(run.status, 0, `kubectl kustomize failed: ${run.stderr}`);
  const kinds = [...run.stdout.matchAll(/^kind: (\w+)$/gm)].map((m) => m[1]).sort();
  assert.deepEqual(kinds, [
    "Deployment",
    "Ingress",
    "Namespace",
    "PodDisruptionBudget",
    "ScaledObject",
    "Service",
    "Service",
    "ServiceMonitor",
    "StatefulSet",
  ]);
});

test("kustomize builds the alternatives, HPA and HAProxy ingress, into valid objects", (t) => {
  if (!hasKubectl) {
    t.skip("no kubectl here to run its kustomize");
    return;
  }
  // An overlay outside the repository; kustomize wants relative paths to what it loads.
  const dir = mkdtempSync(join(tmpdir(), "scalesocket-kustomize-"));
  try {
    const up = relative(dir, KUBE);
    writeFileSync(
      join(dir, "kustomization.yaml"),
      JSON.stringify({
        resources: ["deployment.yaml", "service.yaml", "ingress.yaml"].map((f) => `${up}/${f}`),
        components: ["hpa", "ingress-haproxy"].map((c) => `${up}/${c}`),
      }),
    );
    const run = spawnSync("kubectl", ["kustomize", "--load-restrictor=LoadRestrictionsNone", dir], {
      encoding: "utf8",
      timeout: 30_000,
    });
    assert.equal(run.status, 0, `kubectl kustomize failed: ${run.stderr}`);
    const objects = parseAllDocuments(run.stdout).map((d) => d.toJS() as Obj);
    assert.deepEqual(objects.map((o) => o.kind).sort(), [
      "Deployment",
      "HorizontalPodAutoscaler",
      "Ingress",
      "Service",
    ]);
    for (const obj of objects) {
      assert.equal(schemaError(obj), null, `built ${obj.kind} is invalid`);
      assert.deepEqual(unknownFields(obj), [], `built ${obj.kind} has unknown fields`);
    }
    const ingress = objects.find((o) => o.kind === "Ingress")!;
    assert.equal(at(ingress, "spec.ingressClassName"), "haproxy");
    assert.equal(
      at(ingress, "metadata.annotations")["haproxy.org/load-balance"],
      "uri depth 1 path-only",
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
