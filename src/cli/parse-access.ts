// The parts of the command line that say where rooms live and who may join: cluster mode's and
// authentication's Config, and the secrets either may read from the environment.
import type { AuthConfig, ClusterConfig, JwtConfig } from "../config.ts";
import { AUTH_SOURCES, type Key, type Options } from "./flags.ts";
import { validate } from "./schema.ts";
import { secret as secretSchema } from "./schema-access.ts";

/** Where --cluster finds its secret when --cluster-secret is not given (ps shows flags). */
export const SECRET_ENV = "SCALESOCKET_CLUSTER_SECRET";
/** Where the JWT secret is read when no flag gives a key; setting it turns tokens on. */
export const JWT_SECRET_ENV = "SCALESOCKET_JWT_SECRET";

/** Defaults of these flags; --help repeats them by hand. */
export const ACCESS_DEFAULTS = {
  clusterPrefix: "ss:",
  leaseSeconds: 15,
  drainSeconds: 30,
  authTimeoutSeconds: 5,
} as const;

type Env = Readonly<Record<string, string>>;

/**
 * A secret from its flag, else from `variable` (ps shows flags, not the environment); null
 * when neither is set. The flag was validated when read; the variable is validated here.
 */
function secretOf(
  given: string | undefined,
  variable: string,
  env: Env,
): { value: string | null; fromEnv: boolean } | { error: string } {
  if (given !== undefined) return { value: given, fromEnv: false };
  const raw = env[variable];
  if (raw === undefined || raw === "") return { value: null, fromEnv: false };
  const checked = validate(secretSchema, raw);
  // The value is a secret: the message names the variable, never what it holds.
  return checked.ok
    ? { value: raw, fromEnv: true }
    : { error: `Invalid ${variable}: ${checked.detail}` };
}

/** The flag wins over the environment; either must be there with --cluster. */
export function clusterSecret(
  o: Options,
  env: Env,
): { value: string; error?: undefined } | { value?: undefined; error: string } {
  if (o.cluster === undefined) return { value: "" };
  const found = secretOf(o["cluster-secret"], SECRET_ENV, env);
  if ("error" in found) return found;
  if (found.value === null) {
    return { error: `--cluster requires --cluster-secret or ${SECRET_ENV}` };
  }
  return { value: found.value };
}

/** --jwt-secret, else the variable unless another key source (or --auth) is given. */
export function jwtSecret(o: Options, env: Env): ReturnType<typeof secretOf> {
  const other = AUTH_SOURCES.some((k) => k !== "jwt-secret" && o[k] !== undefined);
  return other ? { value: null, fromEnv: false } : secretOf(o["jwt-secret"], JWT_SECRET_ENV, env);
}

const JWT_SOURCES = "--jwt-secret, --jwt-key or --jwks";

/** Options of tokens need a key, and --public-api needs something to be public from. */
export function authRequirement(
  o: Options,
  secret: boolean,
  name: (k: Key) => string,
): string | null {
  const jwt = secret || o["jwt-key"] !== undefined || o.jwks !== undefined;
  for (const k of ["jwt-audience", "jwt-issuer", "jwt-cookie", "jwt-no-expire-close"] as const) {
    if (o[k] !== undefined && !jwt) return `${name(k)} requires ${JWT_SOURCES}`;
  }
  if (o["public-api"] && !jwt && o.auth === undefined) {
    return `${name("public-api")} requires --auth, ${JWT_SOURCES}`;
  }
  return null;
}

export function auth(o: Options, secret: string | null): AuthConfig | null {
  let key: JwtConfig["key"] | null = null;
  if (secret !== null) key = { kind: "secret", secret };
  else if (o["jwt-key"] !== undefined) key = { kind: "pem", file: o["jwt-key"] };
  else if (o.jwks !== undefined) key = { kind: "jwks", ...o.jwks };
  if (key === null && o.auth === undefined) return null;
  const seconds = o["auth-timeout"] ?? ACCESS_DEFAULTS.authTimeoutSeconds;
  return {
    jwt: key && { key, audience: o["jwt-audience"] ?? null, issuer: o["jwt-issuer"] ?? null },
    endpoint: o.auth === undefined ? null : { url: o.auth, timeoutMs: Math.round(seconds * 1000) },
    cookie: o["jwt-cookie"] ?? null,
    expireClose: !o["jwt-no-expire-close"],
    publicApi: o["public-api"] ?? false,
  };
}

export function cluster(o: Options, secret: string): ClusterConfig | null {
  if (o.cluster === undefined) return null;
  return {
    url: o.cluster.url,
    redacted: o.cluster.redacted,
    advertise: o.advertise!,
    nodeId: o["node-id"] ?? null,
    secret,
    prefix: o["cluster-prefix"] ?? ACCESS_DEFAULTS.clusterPrefix,
    leaseMs: Math.round((o.lease ?? ACCESS_DEFAULTS.leaseSeconds) * 1000),
    drainMs: Math.round((o.drain ?? ACCESS_DEFAULTS.drainSeconds) * 1000),
  };
}
