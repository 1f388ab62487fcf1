// Leveled logger to stderr, as text lines or JSON objects, carrying context fields.
import type { LogFormat, LogLevel } from "./config.ts";

export type Fields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  error(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  debug(msg: string, fields?: Fields): void;
  trace(msg: string, fields?: Fields): void;
  /** True when messages of this level are written (to skip building costly ones). */
  enabled(level: LogLevel): boolean;
  /** A logger that adds these fields to every line. */
  with(fields: Fields): Logger;
}

export interface LogOptions {
  format: LogFormat;
  level: LogLevel;
  write: (line: string) => void;
  color: boolean;
  now?: () => Date;
}

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3, trace: 4 };
const COLOR: Record<LogLevel, string> = {
  error: "\x1b[31m",
  warn: "\x1b[33m",
  info: "\x1b[32m",
  debug: "\x1b[36m",
  trace: "\x1b[90m",
};

export function createLogger(opts: LogOptions, context: Fields = {}): Logger {
  const max = RANK[opts.level];
  const now = opts.now ?? (() => new Date());
  // A line per connection and per room event: nothing is copied that need not be.
  const bare = Object.keys(context).length === 0;
  const emit = (level: LogLevel, msg: string, fields?: Fields) => {
    if (RANK[level] > max) return;
    const all = !fields ? context : bare ? fields : { ...context, ...fields };
    opts.write(
      opts.format === "json"
        ? jsonLine(now(), level, msg, all)
        : textLine(now(), level, msg, all, opts.color),
    );
  };
  return {
    error: (m, f) => emit("error", m, f),
    warn: (m, f) => emit("warn", m, f),
    info: (m, f) => emit("info", m, f),
    debug: (m, f) => emit("debug", m, f),
    trace: (m, f) => emit("trace", m, f),
    enabled: (level) => RANK[level] <= max,
    with: (fields) => createLogger(opts, { ...context, ...fields }),
  };
}

function jsonLine(time: Date, level: LogLevel, msg: string, fields: Fields): string {
  const out: Record<string, unknown> = { time: time.toISOString(), level, msg };
  for (const [k, v] of Object.entries(fields)) {
    // A field never overwrites the three keys every line has.
    if (v !== undefined && !(k in out)) out[k] = v;
  }
  return JSON.stringify(out) + "\n";
}

const TAG: Record<LogLevel, string> = {
  error: "ERROR",
  warn: "WARN ",
  info: "INFO ",
  debug: "DEBUG",
  trace: "TRACE",
};

function textLine(time: Date, level: LogLevel, msg: string, fields: Fields, color: boolean) {
  const tag = TAG[level];
  // One event, one line: a newline inside the message is shown escaped.
  const text = msg.includes("\n") ? msg.replace(/\r?\n/g, "\\n") : msg;
  let line = `${time.toISOString()} ${color ? COLOR[level] + tag + "\x1b[0m" : tag} ${text}`;
  for (const k in fields) {
    const v = fields[k];
    if (v === undefined) continue;
    const s = String(v);
    // Quote values a reader could not split on spaces unambiguously.
    line += ` ${k}=${/^[^\s"=]+$/.test(s) ? s : JSON.stringify(s)}`;
  }
  return line + "\n";
}
