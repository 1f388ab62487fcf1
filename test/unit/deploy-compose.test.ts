// Unit tests for deploy/compose.yaml: only images, build files and scalesocket flags that exist,
// and addresses that agree with deploy/haproxy.cfg.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Obj, readYaml, ROOT } from "../deploy/kube.ts";
import { assertCommandLine, flagValue } from "../deploy/flags.ts";

const DEPLOY = join(ROOT, "deploy");
const [compose] = readYaml(join(DEPLOY, "compose.yaml"), true);
const services = compose.services as Record<string, Obj>;
// deno-lint-ignore no-explicit-any
const nodes = Object.entries(services).filter(([, s]) => (s as any).command?.includes("--json"));

/** Compose durations such as "40s" or "1m30s", in seconds. */
function seconds(duration: string): number {
  const m = /^(?:(\d+)m)?(?:(\d+)s)?$/.exec(duration);
  assert.ok(m && duration !== "", `cannot read the duration "${duration}"`);
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}

test("compose runs Redis, three scalesocket nodes and haproxy", () => {
  assert.equal(nodes.length, 3, `nodes: ${nodes.map(([n]) => n)}`);
  assert.ok(services.redis && services.haproxy, "redis and haproxy services");
});

test("every node's command line uses only flags that scalesocket --help lists", () => {
  for (const [name, node] of nodes) {
    assertCommandLine(node.command as string[], `deploy/compose.yaml, ${name}`);
  }
});

test("images are either built here or pulled at a pinned version", () => {
  for (const [name, service] of Object.entries(services)) {
    if (service.build) continue;
    const image = service.image as string;
    assert.match(image, /^[a-z0-9./-]+:[\w.-]+$/, `${name}: "${image}" has no tag`);
    assert.doesNotMatch(image, /:latest$/, `${name}: "${image}" is not pinned`);
  }
});

test("build contexts, Dockerfiles and what they copy exist", () => {
  for (const [name, service] of Object.entries(services)) {
    const build = service.build as Obj | undefined;
    if (!build) continue;
    const context = join(DEPLOY, build.context as string);
    const dockerfile = join(context, (build.dockerfile as string | undefined) ?? "Dockerfile");
    assert.ok(existsSync(dockerfile), `${name}: ${dockerfile} is missing`);
    for (const [stage, source] of Object.entries((build.additional_contexts ?? {}) as Obj)) {
      const from = /^service:(.+)$/.exec(source as string)?.[1];
      assert.ok(from && services[from]?.build, `${name}: context ${stage} is no service's build`);
    }
    const text = readFileSync(dockerfile, "utf8");
    for (const copy of text.matchAll(/^COPY (?!--from)(\S+) /gm)) {
      assert.ok(
        existsSync(join(context, copy[1])),
        `${name}: COPY ${copy[1]} is not in ${context}`,
      );
    }
  }
});

test("the example image's own command line uses only flags that --help lists", () => {
  const text = readFileSync(join(DEPLOY, "Dockerfile.example"), "utf8");
  const cmd = /^CMD (\[.*\])$/m.exec(text);
  assert.ok(cmd, "Dockerfile.example has an exec-form CMD");
  assertCommandLine(JSON.parse(cmd[1]), "deploy/Dockerfile.example");
});

test("the secret comes from the environment, and stopping waits for the drain", () => {
  for (const [name, node] of nodes) {
    const command = node.command as string[];
    assert.ok((node.environment as Obj).SCALESOCKET_CLUSTER_SECRET, `${name}: no secret`);
    assert.ok(!command.some((a) => a.startsWith("--cluster-secret")), `${name}: secret in argv`);
    const drain = Number(flagValue(command, "--drain"));
    const grace = seconds(node.stop_grace_period as string);
    assert.ok(
      grace >= drain + 2 + 10,
      `${name}: stop_grace_period ${grace} s < --drain ${drain} + 12`,
    );
  }
});

test("haproxy.cfg's servers are the nodes' advertised addresses", (t) => {
  const cfg = join(DEPLOY, "haproxy.cfg");
  if (!existsSync(cfg)) {
    t.skip("deploy/haproxy.cfg is not in this tree yet (it comes with the cluster work)");
    return;
  }
  const mount = (services.haproxy.volumes as string[]).find((v) => v.startsWith("./haproxy.cfg:"));
  assert.ok(mount, "compose mounts deploy/haproxy.cfg");
  const text = readFileSync(cfg, "utf8");
  const servers = [...text.matchAll(/^\s*server \S+ (\S+)/gm)].map((m) => m[1]).sort();
  const advertised = nodes.map(([, n]) => flagValue(n.command as string[], "--advertise")).sort();
  assert.deepEqual(servers, advertised, "haproxy sends clients to the addresses nodes advertise");
  for (const [name, node] of nodes) {
    const ip = Object.values(node.networks as Record<string, Obj>)[0].ipv4_address;
    assert.equal(flagValue(node.command as string[], "--advertise"), `${ip}:9000`, name);
  }
  const bind = /^\s*bind \S*:(\d+)/m.exec(text)?.[1];
  const ports = (services.haproxy.ports as string[]).map((p) => p.split(":").at(-1));
  assert.ok(bind && ports.includes(bind), `haproxy listens on ${bind}, compose publishes ${ports}`);
});
