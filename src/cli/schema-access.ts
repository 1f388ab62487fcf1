// Valibot schemas of the flags that say where rooms live and who may join them: cluster mode
// (--cluster and its companions) and authentication (--jwt-*, --auth, --ratelimit).
import * as v from "valibot";
import { addr, MAX_MS, seconds, TOKEN } from "./schema.ts";
import { checkRedisUrl, redactUrl } from "../cluster/url.ts";

// Cluster mode. A redis:// or rediss:// URL, checked by the rules the cluster code itself keeps
// (src/cluster/url.ts). It may carry a password, so it is kept apart from the redacted form that
// log lines and error messages use.
export const redisUrl = v.pipe(
  v.string(),
  v.check(
    (s) => checkRedisUrl(s) === null,
    (issue) =>
      `expected redis://[USER:PASSWORD@]HOST[:PORT][/DB] or rediss://…: ${
        checkRedisUrl(issue.input as string)
      }`,
  ),
  v.transform((s) => ({ url: s, redacted: redactUrl(s) })),
);

// Another node dials this address, so an unspecified one (0.0.0.0, ::) or port 0 cannot work.
export const advertise = v.pipe(
  addr,
  v.check(
    (a) => a.port >= 1 && !["0.0.0.0", "::", ""].includes(a.host),
    'expected the HOST:PORT other nodes reach this one at, such as "10.0.0.7:9000"',
  ),
  v.transform((a) => a.host.includes(":") ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`),
);

// "|" separates the fields of a lease in Redis, so neither a node id nor a prefix may hold one.
export const nodeId = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9._:-]{1,64}$/, "expected 1 to 64 letters, digits or . _ : -"),
);
export const prefix = nodeId;

/** Short secrets are guessable offline from one signed request: 16 characters at least. */
export const secret = v.pipe(
  v.string(),
  v.minLength(16, "expected a secret of at least 16 characters"),
);

const LEASE_DETAIL = "expected a number of seconds from 1 to 3600";
export const lease = v.pipe(seconds, v.check((s) => s >= 1 && s <= 3600, LEASE_DETAIL));

// Authentication. A URL is checked by URL itself; http and https only, as fetch needs.
function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === "http:" || u.protocol === "https:") && u.hostname !== "";
  } catch {
    return false;
  }
}

export const httpUrl = v.pipe(
  v.string(),
  v.check(isHttpUrl, 'expected an http:// or https:// URL, such as "http://127.0.0.1:8080/auth"'),
);

/** --jwks: a URL to fetch the key set from, else a file to read it from. */
export const jwks = v.pipe(
  v.string(),
  v.minLength(1, "expected a URL or a file"),
  v.check(
    (s) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(s) || isHttpUrl(s),
    "expected an http:// or https:// URL, or a file",
  ),
  v.transform((s) => (isHttpUrl(s) ? { url: s } : { file: s })),
);

export const claim = v.pipe(v.string(), v.minLength(1, "expected a non-empty value"));
export const cookieName = v.pipe(
  v.string(),
  v.regex(TOKEN, "expected a cookie name of letters, digits and !#$%&'*+-.^_`|~"),
);

export const timeout = v.pipe(
  seconds,
  v.check((s) => s > 0, `expected a number of seconds above 0, up to ${Math.floor(MAX_MS / 1000)}`),
);

// N messages, per S seconds (default 1): "20", "20/1", "100/60", "5/0.5".
const RATE = /^(\d+)(?:\/(\d+(?:\.\d*)?|\.\d+))?$/;
const RATE_DETAIL = 'expected N[/SECONDS] with N of 1 or more, such as "20" or "100/60"';
export const rate = v.pipe(
  v.string(),
  v.regex(RATE, RATE_DETAIL),
  v.transform((s) => {
    const [, n, per] = RATE.exec(s) ?? [];
    return { messages: Number(n), seconds: per === undefined ? 1 : Number(per) };
  }),
  v.check(
    (r) => Number.isSafeInteger(r.messages) && r.messages >= 1 && r.seconds > 0,
    RATE_DETAIL,
  ),
  v.check((r) => r.seconds <= 86400, "expected SECONDS from above 0 to 86400"),
);
