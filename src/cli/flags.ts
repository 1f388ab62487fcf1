// The table of every flag: how it takes its value, the schema for it, and the ones not built yet.
import type * as v from "valibot";
import * as S from "./schema.ts";
import * as A from "./schema-access.ts";
import type { Schema } from "./schema.ts";

/** A switch takes no value; a count is `-v` given again; a list keeps every occurrence. */
type Flag =
  | { kind: "switch" }
  | { kind: "count" }
  | { kind: "value" | "list"; schema: Schema; hint: string }
  /** Value only after `=` (`--frame=gwsocket`); bare, it means `bare`. */
  | { kind: "optional"; schema: Schema; hint: string; bare: string };

const sw = { kind: "switch" } as const;
const value = <T extends Schema>(schema: T, hint: string) =>
  ({ kind: "value", schema, hint }) as const;
const list = <T extends Schema>(schema: T, hint: string) =>
  ({ kind: "list", schema, hint }) as const;
const frame = {
  kind: "optional",
  schema: S.frame,
  hint: '"json" or "gwsocket"',
  bare: "json",
} as const;

export const FLAGS = {
  // Server
  addr: value(S.addr, "HOST:PORT"),
  staticdir: value(S.path, "a directory"),
  oneshot: sw,
  metrics: sw,
  api: sw,
  // Rooms
  rooms: value(S.rooms, "comma-separated room names"),
  maxrooms: value(S.count, "a number of rooms"),
  linger: value(S.seconds, "a number of seconds"),
  resume: value(S.seconds, "a number of seconds"),
  delay: value(S.seconds, "a number of seconds"),
  passenv: value(S.envNames, "comma-separated variable names"),
  tcp: sw,
  tcpports: value(S.portRange, "START:END"),
  restart: value(S.count, "a number of restarts"),
  unbuffered: sw,
  // Messages
  binary: sw,
  null: sw,
  delimiters: value(S.delimiters, "characters"),
  json: sw,
  frame: frame,
  clientframe: frame,
  serverframe: frame,
  joinmsg: value(S.text, "a message"),
  leavemsg: value(S.text, "a message"),
  cache: value(S.cache, "[all:|tagged:]SIZE"),
  cachepersist: sw,
  // Limits
  maxbuffer: value(S.bytes, "a number of bytes"),
  maxframesize: value(S.bytes, "a number of bytes"),
  closems: value(S.millis, "a number of milliseconds"),
  // websocketd compatibility
  port: value(S.port, "a port"),
  address: list(S.host, "a host"),
  header: list(S.header, '"Name: value"'),
  "header-ws": list(S.header, '"Name: value"'),
  "header-http": list(S.header, '"Name: value"'),
  perconnection: sw,
  sameorigin: sw,
  origin: value(S.origins, "comma-separated host[:port] entries"),
  ssl: sw,
  sslcert: value(S.path, "a file"),
  sslkey: value(S.path, "a file"),
  devconsole: sw,
  dir: value(S.path, "a directory"),
  cgidir: value(S.path, "a directory"),
  redirport: value(S.port, "a port"),
  reverselookup: sw,
  unixsocket: value(S.path, "a socket path"),
  pingms: value(S.count, "a number of milliseconds"),
  passstderr: sw,
  // Cluster
  cluster: value(A.redisUrl, "a redis:// URL"),
  advertise: value(A.advertise, "HOST:PORT"),
  "node-id": value(A.nodeId, "an id"),
  "cluster-secret": value(A.secret, "a secret"),
  "cluster-prefix": value(A.prefix, "a key prefix"),
  lease: value(A.lease, "a number of seconds"),
  drain: value(S.seconds, "a number of seconds"),
  // Authentication
  "jwt-secret": value(A.secret, "a secret"),
  "jwt-key": value(S.path, "a PEM file"),
  jwks: value(A.jwks, "a URL or a file"),
  "jwt-audience": value(A.claim, "an audience"),
  "jwt-issuer": value(A.claim, "an issuer"),
  "jwt-cookie": value(A.cookieName, "a cookie name"),
  "jwt-no-expire-close": sw,
  auth: value(A.httpUrl, "an http:// or https:// URL"),
  "auth-timeout": value(A.timeout, "a number of seconds"),
  "public-api": sw,
  maxclients: value(S.count, "a number of clients"),
  ratelimit: value(A.rate, "N[/SECONDS]"),
  // Logging
  log: value(S.logFormat, '"text" or "json"'),
  loglevel: value(S.logLevel, "a level"),
  verbose: { kind: "count" },
} as const satisfies Record<string, Flag>;

export type Key = keyof typeof FLAGS;

/** The typed value each flag leaves behind once given; absent keys were not given. */
type Out<F> = F extends { kind: "value" | "optional"; schema: infer T extends Schema }
  ? v.InferOutput<T>
  : F extends { kind: "list"; schema: infer T extends Schema } ? v.InferOutput<T>[]
  : F extends { kind: "count" } ? number
  : true;
export type Options = { -readonly [K in Key]?: Out<(typeof FLAGS)[K]> };

/** Other spellings of a long flag (websocketd's name for the same limit). */
export const ALIASES: Readonly<Record<string, Key>> = { maxforks: "maxrooms" };

/** Single-letter flags; `-v` is short only, so `--verbose` is unknown. */
export const SHORT: Readonly<Record<string, Key | "help" | "version">> = {
  b: "binary",
  v: "verbose",
  h: "help",
  V: "version",
};

/** The flags that turn authentication on (--jwt-secret's variable does too). */
export const AUTH_SOURCES = [
  "jwt-secret",
  "jwt-key",
  "jwks",
  "auth",
] as const satisfies readonly Key[];

/** Pairs that cannot be given together, as in ScaleSocket and websocketd. */
export const CONFLICTS: readonly (readonly [Key, Key])[] = [
  ["addr", "port"],
  ["addr", "address"],
  ["unixsocket", "addr"],
  ["unixsocket", "port"],
  ["unixsocket", "address"],
  ["unixsocket", "ssl"],
  ["unixsocket", "redirport"],
  ["binary", "delimiters"],
  ["binary", "null"],
  ["null", "delimiters"],
  ["json", "frame"],
  ["json", "clientframe"],
  ["json", "serverframe"],
  ["frame", "clientframe"],
  ["frame", "serverframe"],
  ["tcpports", "maxrooms"],
  ["verbose", "loglevel"],
  ["passstderr", "json"],
  ["passstderr", "frame"],
  ["passstderr", "serverframe"],
  ["passstderr", "binary"],
  ["devconsole", "staticdir"],
  ["devconsole", "cgidir"],
  // A cluster shares named rooms; these modes have none, or end with their first client.
  ["cluster", "perconnection"],
  ["cluster", "oneshot"],
  // One way to decide who may join: one key source, or the application's endpoint.
  ["jwt-secret", "jwt-key"],
  ["jwt-secret", "jwks"],
  ["jwt-key", "jwks"],
  ["auth", "jwt-secret"],
  ["auth", "jwt-key"],
  ["auth", "jwks"],
];

/** The first flag is meaningless without the second. */
export const REQUIRES: readonly (readonly [Key, Key])[] = [
  ["tcpports", "tcp"],
  ["sslcert", "ssl"],
  ["sslkey", "ssl"],
  ["ssl", "sslcert"],
  ["ssl", "sslkey"],
  ["cachepersist", "cache"],
  ["redirport", "ssl"],
  ["cluster", "advertise"],
  ["advertise", "cluster"],
  ["node-id", "cluster"],
  ["cluster-secret", "cluster"],
  ["cluster-prefix", "cluster"],
  ["lease", "cluster"],
  ["drain", "cluster"],
  ["auth-timeout", "auth"],
];
