// Offline validation of deploy/kubernetes: kustomize's file lists, and every object checked
// against the Kubernetes OpenAPI schemas (kubernetes-models) or its CRD's (KEDA, Prometheus
// operator), plus a probe for fields the schemas do not know, which they let through.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
// One file per kind: the packages' barrels would load hundreds of schemas for nothing.
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Service } from "kubernetes-models/v1/Service";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { ScaledObject } from "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";

export type Obj = Record<string, unknown>;

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const KUBE = join(ROOT, "deploy", "kubernetes");

/**
 * Every YAML document of a file, parsed strictly: a duplicate key or a syntax error throws.
 * `merge` reads "<<" merge keys, which compose files use and Kubernetes does not.
 */
export function readYaml(path: string, merge = false): Obj[] {
  const docs = parseAllDocuments(readFileSync(path, "utf8"), { uniqueKeys: true, merge });
  return docs.map((doc) => {
    if (doc.errors.length > 0) throw new Error(`Cannot parse ${path}: ${doc.errors[0].message}`);
    return doc.toJS() as Obj;
  }).filter((o) => o !== null);
}

/** The files a kustomization (or component) directory names, its components' followed too. */
export function kustomizeFiles(dir: string): string[] {
  const [k] = readYaml(join(dir, "kustomization.yaml"));
  const own = ((k.resources ?? []) as string[]).map((r) => join(dir, r));
  const components = ((k.components ?? []) as string[]).map((c) => join(dir, c));
  return [...own, ...components.flatMap(kustomizeFiles)];
}

type Model = new (data: never) => { validate(): void };
const MODELS: Record<string, Model> = {
  "v1/Namespace": Namespace,
  "v1/Service": Service,
  "apps/v1/Deployment": Deployment,
  "apps/v1/StatefulSet": StatefulSet,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "networking.k8s.io/v1/Ingress": Ingress,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "keda.sh/v1alpha1/ScaledObject": ScaledObject,
  "monitoring.coreos.com/v1/ServiceMonitor": ServiceMonitor,
};

/** The schema's complaint about an object, or null when it is valid. */
export function schemaError(obj: Obj): string | null {
  const model = MODELS[`${obj.apiVersion}/${obj.kind}`];
  if (!model) return `no schema here for ${obj.apiVersion} ${obj.kind}`;
  try {
    new model(obj as never).validate();
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

// Not JSON at all, so it fails every typed schema: a field whose schema rejects it is known.
const NOT_JSON = () => undefined;

/**
 * The paths of fields no schema checks: typos such as "readinesProbe" pass the schemas (they
 * allow unknown fields, as the API server does without strict validation), so each field is
 * replaced in turn by a value no schema accepts; if the object still validates, nothing looked.
 */
export function unknownFields(obj: Obj): string[] {
  const unknown: string[] = [];
  const visit = (node: unknown, path: (string | number)[]) => {
    if (Array.isArray(node)) node.forEach((item, i) => visit(item, [...path, i]));
    if (node === null || typeof node !== "object" || Array.isArray(node)) return;
    for (const [key, value] of Object.entries(node as Obj)) {
      const probe = structuredClone(obj);
      let at = probe as Record<string | number, unknown>;
      for (const step of path) at = at[step] as Record<string | number, unknown>;
      at[key] = NOT_JSON;
      if (schemaError(probe) === null) unknown.push([...path, key].join("."));
      else visit(value, [...path, key]);
    }
  };
  visit(obj, []);
  return unknown;
}

/** The directory of a manifest path, for messages. */
export function rel(path: string): string {
  return path.slice(ROOT.length) || dirname(path);
}
