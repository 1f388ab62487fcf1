// Reads argv left to right into validated flag values, CMD and its arguments (the syntax is
// described in docs/decisions.md, "Command line").
import { ALIASES, FLAGS, type Key, type Options, SHORT } from "./flags.ts";
import { validate } from "./schema.ts";

export type Stop = { kind: "help" } | { kind: "version" } | { kind: "usage"; message: string };

export interface Scanned {
  kind: "ok";
  options: Options;
  /** Each given flag as the user spelled it (`--maxforks`, `-v`), in first-seen order. */
  names: Map<Key, string>;
  cmd: string | null;
  args: string[];
}

interface State {
  options: Record<string, unknown>;
  names: Map<Key, string>;
}

/** User text inside a message: quoted, and escaped so the message stays one line. */
export const quote = (s: string): string => JSON.stringify(s);

const usage = (message: string): Stop => ({ kind: "usage", message });
const noValue = (name: string, raw: string): Stop =>
  usage(`Unexpected value ${quote(raw)} for ${name}: the flag takes no value, or true or false`);

/** Help and version win as soon as they are read; so does the first syntax or value error. */
export function scan(argv: readonly string[]): Scanned | Stop {
  const state: State = { options: {}, names: new Map() };
  let i = 0;
  for (; i < argv.length; i++) {
    const token = argv[i];
    if (token === "--") {
      i++;
      break;
    }
    if (!token.startsWith("-") || token === "-") break;
    const used = token.startsWith("--") || singleDashLong(token)
      ? long(token, argv[i + 1], state)
      : short(token, state);
    if (typeof used !== "number") return used;
    i += used;
  }
  // Everything after CMD is CMD's, except one "--" right after it (ScaleSocket's spelling).
  const args = argv.slice(i + 1);
  if (args[0] === "--") args.shift();
  const cmd = i < argv.length ? argv[i] : null;
  return { kind: "ok", options: state.options as Options, names: state.names, cmd, args };
}

function splitValue(body: string): [string, string | undefined] {
  const at = body.indexOf("=");
  return at < 0 ? [body, undefined] : [body.slice(0, at), body.slice(at + 1)];
}

function longKey(name: string): Key | undefined {
  const key = Object.hasOwn(ALIASES, name)
    ? ALIASES[name]
    : Object.hasOwn(FLAGS, name)
    ? (name as Key)
    : undefined;
  return key && FLAGS[key].kind !== "count" ? key : undefined;
}

/**
 * websocketd's Go flags take one dash as well as two (`-port=8080`): a single-dash word that
 * names a long flag is read as one. Short bundles (`-vv`, `-bv`) name no long flag.
 */
function singleDashLong(token: string): boolean {
  const [word] = splitValue(token.slice(1));
  return word.length > 1 && (longKey(word) !== undefined || word === "help" || word === "version");
}

/** Go's boolean flag values, which websocketd's scripts may spell out. */
const BOOLEAN: Record<string, boolean> = {
  true: true,
  false: false,
  "1": true,
  "0": false,
  t: true,
  f: false,
  TRUE: true,
  FALSE: false,
  True: true,
  False: false,
};

/** `--name`, `--name=value` or `--name value` (also `-name`); returns the extra tokens used. */
function long(token: string, next: string | undefined, state: State): number | Stop {
  const [bare, inline] = splitValue(token.slice(token.startsWith("--") ? 2 : 1));
  const name = token.startsWith("--") ? `--${bare}` : `-${bare}`;
  if (bare === "help" || bare === "version") {
    return inline === undefined ? { kind: bare } : noValue(name, inline);
  }
  const key = longKey(bare);
  const flag = key && FLAGS[key];
  if (!key || !flag || flag.kind === "count") return usage(`Unknown flag ${quote(name)}`);
  if (flag.kind === "switch") {
    if (inline === undefined) return store(state, key, name);
    // websocketd's --sameorigin=true; "=false" means the flag was not given.
    if (!Object.hasOwn(BOOLEAN, inline)) return noValue(name, inline);
    if (BOOLEAN[inline]) return store(state, key, name);
    delete state.options[key];
    state.names.delete(key);
    return 0;
  }
  if (flag.kind === "optional") return store(state, key, name, inline ?? flag.bare);
  if (inline !== undefined) return store(state, key, name, inline);
  // A following "--flag" means the value was forgotten; "--flag=--x" still passes one.
  if (next === undefined || next.startsWith("--")) {
    return usage(`Missing value for ${name}: expected ${flag.hint}`);
  }
  const stopped = store(state, key, name, next);
  return typeof stopped === "number" ? 1 : stopped;
}

/** `-b`, `-v`, bundles such as `-vv` or `-bv`; short flags never take values. */
function short(token: string, state: State): number | Stop {
  const [letters, inline] = splitValue(token.slice(1));
  const unknown = [...letters].find((c) => !Object.hasOwn(SHORT, c));
  if (unknown !== undefined) return usage(`Unknown flag ${quote(`-${unknown}`)}`);
  if (inline !== undefined) return noValue(`-${letters}`, inline);
  for (const c of letters) {
    const key = SHORT[c];
    if (key === "help" || key === "version") return { kind: key };
    store(state, key, `-${c}`);
  }
  return 0;
}

const SECRET_FLAGS: ReadonlySet<Key> = new Set<Key>(["cluster", "cluster-secret"]);

/** Validates one occurrence through the flag's schema and records it. */
function store(state: State, key: Key, name: string, raw = ""): 0 | Stop {
  const flag = FLAGS[key];
  const { options } = state;
  if (flag.kind === "switch") options[key] = true;
  else if (flag.kind === "count") options[key] = ((options[key] as number | undefined) ?? 0) + 1;
  else {
    const result = validate(flag.schema, raw);
    if (!result.ok) {
      // A secret (or a URL that may hold a password) is not repeated on stderr.
      const shown = SECRET_FLAGS.has(key) ? "" : `${quote(raw)} `;
      return usage(`Invalid value ${shown}for ${name}: ${result.detail}`);
    }
    // A list keeps every occurrence; any other flag given twice keeps the last (as websocketd).
    if (flag.kind === "list") {
      options[key] = [...((options[key] as unknown[] | undefined) ?? []), result.value];
    } else options[key] = result.value;
  }
  state.names.set(key, name);
  return 0;
}
