// Valibot schemas that turn each flag's raw text into a typed value, or say what was expected.
import * as v from "valibot";
import type { ListenAddr, LogLevel } from "../config.ts";
import { RESERVED, wellFormedRoomName } from "../room/name.ts";

export type Schema = v.GenericSchema<string, unknown>;

/** Runs a flag's schema; the detail is the first problem, ready to follow a colon. */
export function validate(
  schema: Schema,
  raw: string,
): { ok: true; value: unknown } | { ok: false; detail: string } {
  const result = v.safeParse(schema, raw);
  return result.success ? { ok: true, value: result.output } : {
    ok: false,
    detail: result.issues[0].message,
  };
}

/** `"a" or "b"`, `"a", "b" or "c"`: how every enum lists its choices. */
function choices(values: readonly string[]): string {
  const quoted = values.map((s) => `"${s}"`);
  return `${quoted.slice(0, -1).join(", ")} or ${quoted[quoted.length - 1]}`;
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  // Picklist compares exactly, which is what makes "JSON" or "Text" an error.
  return v.pipe(v.string(), v.picklist(values, `expected ${choices(values)}`));
}

// Bracketed (or, for --address, bare) IPv6, else a host name or IPv4 address.
const V6 = String.raw`[0-9A-Fa-f.]*:[0-9A-Fa-f.:]*(?:%[\w.-]+)?`;
const NAME = String.raw`[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?`;
const HOST_PORT = new RegExp(String.raw`^(?:\[(${V6})\]|(${NAME})):(\d{1,5})$`);
const HOST = new RegExp(String.raw`^(?:\[(${V6})\]|(${V6})|(${NAME}))$`);
const PORT_DETAIL = "expected a port from 0 to 65535";

export const addr = v.pipe(
  v.string(),
  v.regex(HOST_PORT, 'expected HOST:PORT, such as "127.0.0.1:9000" or "[::]:9000"'),
  v.transform((s): ListenAddr => {
    const m = HOST_PORT.exec(s) ?? [];
    return { host: m[1] ?? m[2], port: Number(m[3]) };
  }),
  v.check((a) => a.port <= 65535, PORT_DETAIL),
);

export const host = v.pipe(
  v.string(),
  v.regex(HOST, 'expected a host name or IP address, such as "127.0.0.1" or "::1"'),
  v.transform((s) => s.replace(/^\[(.*)\]$/, "$1")),
);

export const port = v.pipe(
  v.string(),
  v.regex(/^\d{1,5}$/, PORT_DETAIL),
  v.transform(Number),
  v.maxValue(65535, PORT_DETAIL),
);

// Timers cannot wait longer than 2^31-1 ms (Node fires them at once), so neither can we.
export const MAX_MS = 2 ** 31 - 1;
const SECONDS_DETAIL = `expected a number of seconds from 0 to ${Math.floor(MAX_MS / 1000)}`;

export const seconds = v.pipe(
  v.string(),
  v.regex(/^(?:\d+(?:\.\d*)?|\.\d+)$/, SECONDS_DETAIL),
  v.transform(Number),
  v.maxValue(Math.floor(MAX_MS / 1000), SECONDS_DETAIL),
);

export const millis = v.pipe(
  v.string(),
  v.regex(/^\d+$/, `expected a whole number of milliseconds from 0 to ${MAX_MS}`),
  v.transform(Number),
  v.maxValue(MAX_MS, `expected a whole number of milliseconds from 0 to ${MAX_MS}`),
);

const COUNT_DETAIL = "expected a whole number of 1 or more";
export const count = v.pipe(
  v.string(),
  v.regex(/^\d+$/, COUNT_DETAIL),
  v.transform(Number),
  v.safeInteger(COUNT_DETAIL),
  v.minValue(1, COUNT_DETAIL),
);

// A plain byte count, or KiB/MiB with a k/m suffix: "65536", "512k", "8m".
const SIZE = /^(\d+)([kKmM]?)$/;
const SIZE_DETAIL = 'expected a number of bytes of 1 or more, such as "65536", "512k" or "8m"';
export const bytes = v.pipe(
  v.string(),
  v.regex(SIZE, SIZE_DETAIL),
  v.transform((s) => {
    const [, n, unit] = SIZE.exec(s) ?? [];
    return Number(n) * ({ "": 1, k: 1024, m: 1024 ** 2 }[unit.toLowerCase()] ?? 1);
  }),
  v.safeInteger(SIZE_DETAIL),
  v.minValue(1, SIZE_DETAIL),
);

export const delimiters = v.pipe(
  v.string(),
  v.minLength(1, "expected at least one character"),
  v.check(
    (s) => [...s].every((c) => c.charCodeAt(0) < 0x80),
    "expected ASCII characters, each one byte",
  ),
  // Duplicates dropped, order kept: the first delimiter is the one appended to input.
  v.transform((s) => [...new Set(Array.from(s, (c) => c.charCodeAt(0)))]),
);

/** Comma-separated names; the empty string is the empty list (`--passenv=`). */
export const envNames = v.pipe(
  v.string(),
  v.transform((s) => (s === "" ? [] : s.split(","))),
  v.check(
    (names) => names.every((n) => n !== "" && !n.includes("=")),
    'expected comma-separated variable names, such as "PATH,HOME"',
  ),
);

export const rooms = v.pipe(
  v.string(),
  v.transform((s) => s.split(",")),
  v.check(
    (names) => names.every(wellFormedRoomName),
    'expected comma-separated room names of 1 to 128 bytes without "/", such as "lobby,game"',
  ),
  v.check(
    (names) => !names.some((n) => RESERVED.has(n)),
    (issue) => {
      const name = (issue.input as string[]).find((n) => RESERVED.has(n));
      return `"${name}" is reserved by the server`;
    },
  ),
);

export const path = v.pipe(v.string(), v.minLength(1, "expected a path"));
export const text = v.pipe(v.string(), v.minLength(1, "expected a message"));

// RFC 9110 token characters for the name; values must be printable Latin-1 (a Headers rule).
export const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const printable = (s: string) =>
  [...s].every((c) => {
    const code = c.charCodeAt(0);
    return code === 9 || (code >= 0x20 && code !== 0x7f && code <= 0xff);
  });

export const header = v.pipe(
  v.string(),
  v.includes(":", 'expected "Name: value"'),
  v.transform((s): [string, string] => {
    const at = s.indexOf(":");
    return [s.slice(0, at).trim(), s.slice(at + 1).trim()];
  }),
  v.check(([name]) => TOKEN.test(name), 'expected "Name: value" with a valid header name'),
  v.check(([, value]) => printable(value), "expected a header value of printable characters"),
);

export const logFormat = oneOf(["text", "json"]);

/** websocketd's level names mapped to ours: access logs are info lines, fatal ones errors. */
const WEBSOCKETD_LEVELS = {
  debug: "debug",
  trace: "trace",
  access: "info",
  info: "info",
  error: "error",
  fatal: "error",
} as const satisfies Record<string, LogLevel>;

export const logLevel = v.pipe(
  oneOf(["debug", "trace", "access", "info", "error", "fatal"]),
  v.transform((name): LogLevel => WEBSOCKETD_LEVELS[name]),
);

export const frame = oneOf(["json", "gwsocket"]);

// ScaleSocket's quirk fixed: a size without a type means "all".
const CACHE = /^(?:(all|tagged):)?(\d+)$/;
export const cache = v.pipe(
  v.string(),
  v.regex(CACHE, 'expected [all:|tagged:]SIZE, such as "8", "all:8" or "tagged:5"'),
  v.transform((s) => {
    const [, kind, size] = CACHE.exec(s) ?? [];
    return { kind: (kind ?? "all") as "all" | "tagged", size: Number(size) };
  }),
  v.check((c) => c.size >= 1 && c.size <= 100000, "expected a size from 1 to 100000"),
);

const RANGE = /^(\d{1,5}):(\d{1,5})$/;
export const portRange = v.pipe(
  v.string(),
  v.regex(RANGE, 'expected START:END, such as "9001:9999"'),
  v.transform((s) => {
    const [, start, end] = RANGE.exec(s) ?? [];
    return { start: Number(start), end: Number(end) };
  }),
  v.check((r) => r.start >= 1 && r.end <= 65535, "expected ports from 1 to 65535"),
  v.check((r) => r.start <= r.end, "expected START no greater than END"),
);

export const origins = v.pipe(
  v.string(),
  v.transform((s) => s.split(",")),
  v.check(
    // host, host:port, or scheme://host[:port], as websocketd takes them.
    (list) => list.every((o) => /^(?:[a-z][a-z0-9+.-]*:\/\/)?[^\s/]+$/i.test(o)),
    'expected comma-separated host[:port] entries, such as "example.com,localhost:8080"',
  ),
);
