// Turns argv into a Config, or into help, version, or one usage line saying what is wrong.
import type { Config, ListenAddr, LogLevel, Split } from "../config.ts";
import { CONFLICTS, type Key, type Options, REQUIRES } from "./flags.ts";
import { scan } from "./scan.ts";
import { auth, authRequirement, cluster, clusterSecret, jwtSecret } from "./parse-access.ts";

export type CliResult =
  | { kind: "run"; config: Config }
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "usage"; message: string };

/** Defaults of the flags whose absence still means something; --help repeats them by hand. */
export const DEFAULTS = {
  listen: { host: "0.0.0.0", port: 9000 },
  maxBuffer: 8 * 1024 * 1024,
  maxFrameSize: 1024 * 1024,
  tcpPorts: { start: 9001, end: 9999 },
} as const;

export { JWT_SECRET_ENV, SECRET_ENV } from "./parse-access.ts";

/** websocketd's --passenv defaults: PATH plus what the dynamic loader needs. */
const PASSENV: Readonly<Record<string, readonly string[]>> = {
  linux: ["PATH", "LD_LIBRARY_PATH"],
  darwin: ["PATH", "DYLD_LIBRARY_PATH"],
  windows: ["PATH", "SystemRoot", "COMSPEC", "PATHEXT", "WINDIR"],
};

/**
 * `argv` is what follows `scalesocket`; `platform` is "linux", "darwin" or "windows" ("win32"
 * is taken too; other systems get the Linux list). Checks run in this order: syntax and values
 * (left to right, where -h/-V also stop), conflicts, unsupported flags, then the missing CMD.
 * `env` is the server's environment, read for the cluster and JWT secrets only.
 */
export function parseCli(
  argv: readonly string[],
  platform: string,
  env: Readonly<Record<string, string>> = {},
): CliResult {
  const scanned = scan(argv);
  if (scanned.kind !== "ok") return scanned;
  const { names, cmd } = scanned;
  const name = (key: Key) => names.get(key) ?? `--${key}`;
  for (const [a, b] of CONFLICTS) {
    if (names.has(a) && names.has(b)) return usage(`${name(a)} cannot be combined with ${name(b)}`);
  }
  for (const [a, b] of REQUIRES) {
    if (names.has(a) && !names.has(b)) return usage(`${name(a)} requires ${name(b)}`);
  }
  const secret = clusterSecret(scanned.options, env);
  if (secret.error !== undefined) return usage(secret.error);
  const jwt = jwtSecret(scanned.options, env);
  if ("error" in jwt) return usage(jwt.error);
  const missing = authRequirement(scanned.options, jwt.value !== null, name);
  if (missing) return usage(missing);
  const dir = scanned.options.dir !== undefined;
  if (dir && cmd !== null) {
    return usage(`${name("dir")} serves the programs in its directory: give no command`);
  }
  // websocketd serves a plain site or CGI scripts this way: HTTP only, no websocket program.
  const httpOnly = scanned.options.staticdir !== undefined || scanned.options.cgidir !== undefined;
  if (cmd === null && !dir && !httpOnly) {
    return usage("Missing command: give the program to run after the options");
  }
  if (cmd === "") return usage('Invalid command "": expected the program to run');
  const config = toConfig(scanned.options, cmd ?? "", scanned.args, platform, {
    cluster: secret.value,
    jwt: jwt.value,
  });
  const conflict = framingConflict(scanned.options, config, name);
  if (conflict) return usage(conflict);
  return { kind: "run", config };
}

function usage(message: string): CliResult {
  return { kind: "usage", message };
}

function toConfig(
  o: Options,
  cmd: string,
  args: string[],
  platform: string,
  secrets: { cluster: string; jwt: string | null },
): Config {
  const passEnv = o.passenv ?? PASSENV[platform === "win32" ? "windows" : platform] ??
    PASSENV.linux;
  return {
    cmd,
    args,
    dir: o.dir ?? null,
    perConnection: o.perconnection ?? false,
    listen: listen(o),
    unixSocket: o.unixsocket ?? null,
    split: split(o),
    frame: framing(o),
    joinMsg: o.joinmsg ?? (o.json ? JSON_JOIN : null),
    leaveMsg: o.leavemsg ?? (o.json ? JSON_LEAVE : null),
    cache: o.cache ?? null,
    cachePersist: o.cachepersist ?? false,
    delay: o.delay ?? 0,
    linger: o.linger ?? 0,
    resume: o.resume ?? 0,
    restart: o.restart ?? 0,
    unbuffered: o.unbuffered ?? false,
    closeMs: o.closems ?? 0,
    passEnv: [...passEnv],
    rooms: o.rooms ?? null,
    maxRooms: o.maxrooms ?? null,
    tcp: o.tcp ? { ...(o.tcpports ?? DEFAULTS.tcpPorts) } : null,
    oneshot: o.oneshot ?? false,
    staticDir: o.staticdir ?? null,
    maxBuffer: o.maxbuffer ?? DEFAULTS.maxBuffer,
    maxFrameSize: o.maxframesize ?? DEFAULTS.maxFrameSize,
    origin: { same: o.sameorigin ?? false, allow: o.origin ?? null },
    tls: o.ssl ? { cert: o.sslcert!, key: o.sslkey! } : null,
    redirPort: o.redirport ?? null,
    pingMs: o.pingms ?? null,
    passStderr: o.passstderr ?? false,
    devConsole: o.devconsole ?? false,
    cgiDir: o.cgidir ?? null,
    reverseLookup: o.reverselookup ?? false,
    headers: { all: o.header ?? [], ws: o["header-ws"] ?? [], http: o["header-http"] ?? [] },
    api: o.api ?? false,
    metrics: o.metrics ?? false,
    cluster: cluster(o, secrets.cluster),
    auth: auth(o, secrets.jwt),
    maxClients: o.maxclients ?? null,
    rateLimit: o.ratelimit ?? null,
    log: o.log ?? "text",
    logLevel: logLevel(o),
  };
}

function listen(o: Options): ListenAddr[] {
  if (o.addr) return [o.addr];
  if (o.port === undefined && o.address === undefined) return [{ ...DEFAULTS.listen }];
  // websocketd: every interface unless --address names some. Its default port (80, or 443
  // with --ssl) is replaced by ours, so `--address A` alone behaves like `--addr A:9000`.
  // Unlike websocketd, --port 0 asks for a free port instead of meaning "the default".
  const port = o.port ?? DEFAULTS.listen.port;
  const hosts = [...new Set(o.address ?? [DEFAULTS.listen.host])];
  return hosts.map((host) => ({ host, port }));
}

/** What --json writes to the child when a client joins or leaves (as ScaleSocket). */
const JSON_JOIN = '{"t":"Join","_from":#ID}';
const JSON_LEAVE = '{"t":"Leave","_from":#ID}';

function framing(o: Options): Config["frame"] {
  if (o.json) return { client: "json", server: "json" };
  if (o.frame) return { client: o.frame, server: o.frame };
  return { client: o.clientframe ?? "none", server: o.serverframe ?? "none" };
}

/** Value-dependent conflicts: what gwsocket framing makes meaningless. */
function framingConflict(o: Options, c: Config, name: (k: Key) => string): string | null {
  const gw = (side: "client" | "server") =>
    o.frame ? "--frame=gwsocket" : `--${side}frame=gwsocket`;
  if (c.frame.client === "gwsocket") {
    // Joins and leaves reach a gwsocket child as open and close frames.
    for (const k of ["joinmsg", "leavemsg"] as const) {
      if (o[k] !== undefined) return `${name(k)} cannot be combined with ${gw("client")}`;
    }
  }
  if (c.frame.server === "gwsocket") {
    // The child's output is read as frames, never split.
    for (const k of ["null", "delimiters", "binary"] as const) {
      if (o[k] !== undefined) return `${name(k)} cannot be combined with ${gw("server")}`;
    }
  }
  return null;
}

function split(o: Options): Split {
  if (o.binary) return { kind: "binary" };
  if (o.null) return { kind: "bytes", delimiters: [0] };
  if (o.delimiters) return { kind: "bytes", delimiters: o.delimiters };
  return { kind: "lines" };
}

/** `-v` is debug, `-vv` (or more) trace; --loglevel maps websocketd's names (the two conflict). */
function logLevel(o: Options): LogLevel {
  if (o.verbose) return o.verbose >= 2 ? "trace" : "debug";
  return o.loglevel ?? "info";
}
