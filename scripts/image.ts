// Builds the FROM scratch container image without a Docker engine: rootfs by hand, OCI by umoci.
//
//   tsx scripts/image.ts                 dist/scalesocket-linux-x64 → dist/image-linux-x64/ (an
//                                        OCI layout) and, with skopeo, dist/scalesocket-image-
//                                        linux-x64.tar for `docker load`
//   tsx scripts/image.ts rootfs DIR [EXE]  only the file tree the Dockerfile's last stage copies
//
// The image holds the executable, the dynamic loader and the libraries `ldd` lists, and nothing
// else: the Dockerfile's build stage runs `rootfs` too, and its last stage sets the same config.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { assembleRootfs, BIN } from "./rootfs.ts";
import { artifactName, hostTarget } from "./targets.ts";

const ENV_PATH = "PATH=/usr/local/bin:/usr/bin:/bin";
const ARCH: Record<string, string> = { x64: "amd64", arm64: "arm64" };

function umoci(...args: string[]): void {
  execFileSync("umoci", args, { stdio: ["ignore", "ignore", "inherit"] });
}

function has(tool: string): boolean {
  try {
    execFileSync(tool, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function buildImage(): void {
  const t = hostTarget();
  if (t?.platform !== "linux") throw new Error("Cannot build the image: ldd must run natively");
  const exe = join("dist", artifactName(t));
  if (!existsSync(exe)) throw new Error(`Cannot build the image: ${exe} is missing`);
  if (!has("umoci")) throw new Error("Cannot build the image: no umoci (apt-get install umoci)");
  const version = JSON.parse(readFileSync("package.json", "utf8")).version as string;
  const layout = join("dist", `image-${t.name}`);
  const rootfs = join("node_modules", ".cache", "scalesocket", `rootfs-${t.name}`);
  const start = performance.now();
  const files = assembleRootfs(exe, rootfs);
  rmSync(layout, { recursive: true, force: true });
  const image = `${layout}:${version}`;
  umoci("init", "--layout", layout);
  umoci("new", "--image", image);
  // --rootless writes the files as owned by root in the layer even when we are not root.
  const rootless = process.getuid?.() === 0 ? [] : ["--rootless"];
  umoci(
    "insert",
    ...rootless,
    "--image",
    image,
    "--history.created_by",
    "scripts/image.ts",
    rootfs,
    "/",
  );
  const config: [string, string][] = [
    ["--architecture", ARCH[t.arch]],
    ["--os", "linux"],
    ["--config.entrypoint", BIN],
    ["--config.cmd", "--help"],
    ["--config.env", ENV_PATH],
    ["--config.exposedports", "9000/tcp"],
    ["--config.stopsignal", "SIGTERM"],
  ];
  umoci("config", "--no-history", "--image", image, ...config.flat());
  umoci("tag", "--image", image, "latest");
  umoci("gc", "--layout", layout);
  console.log(`built ${layout} (${image}, latest) with ${files.join(" ")}`);
  const tar = join("dist", `scalesocket-image-${t.name}.tar`);
  rmSync(tar, { force: true });
  if (has("skopeo")) {
    const to = `docker-archive:${tar}:scalesocket:${version}`;
    execFileSync("skopeo", ["copy", "--quiet", `oci:${image}`, to], { stdio: "inherit" });
    console.log(`wrote ${tar} (docker load -i ${tar})`);
  } else console.log(`skipped ${tar}: no skopeo (apt-get install skopeo)`);
  console.log(`in ${((performance.now() - start) / 1000).toFixed(1)} s`);
}

const [cmd, ...rest] = process.argv.slice(2);
try {
  if (cmd === undefined) {
    buildImage();
  } else if (cmd === "rootfs" && rest.length >= 1) {
    const exe = rest[1] ?? join("dist", artifactName(hostTarget()!));
    console.log(assembleRootfs(exe, rest[0]).join("\n"));
  } else {
    throw new Error(
      `Cannot understand ${JSON.stringify(rest.join(" ") || cmd)}: see scripts/image.ts`,
    );
  }
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
}
