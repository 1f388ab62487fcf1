// JSON framing without re-serialising: find top-level members by scanning the original text,
// so numbers keep their precision and keys their order.

/** A top-level member of a JSON object: the key (decoded) and where its value lies. */
interface Member {
  key: string;
  /** Offset of the key's opening quote. */
  start: number;
  /** Offsets of the value's text, end exclusive. */
  valueStart: number;
  valueEnd: number;
}

/** Offset just past the JSON string starting at i (text[i] is the opening quote). */
function skipString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x5c) j++; // backslash: skip the escaped character
    else if (c === 0x22) return j + 1;
  }
  return text.length;
}

/** Offset just past the JSON value starting at i (after whitespace). */
function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return skipString(text, i);
  if (c === "{" || c === "[") {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const d = text[j];
      if (d === '"') j = skipString(text, j) - 1;
      else if (d === "{" || d === "[") depth++;
      else if (d === "}" || d === "]") {
        if (--depth === 0) return j + 1;
      }
    }
    return text.length;
  }
  let j = i;
  while (j < text.length && !",}] \t\r\n".includes(text[j])) j++;
  return j;
}

const WS = /[ \t\r\n]*/y;
function skipWs(text: string, i: number): number {
  WS.lastIndex = i;
  WS.test(text);
  return WS.lastIndex;
}

/** The top-level members of text, which must already be known to be a valid JSON object. */
function members(text: string): { list: Member[]; open: number; close: number } {
  const open = skipWs(text, 0);
  const list: Member[] = [];
  let i = skipWs(text, open + 1);
  while (text[i] === '"') {
    const keyEnd = skipString(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    const valueStart = skipWs(text, skipWs(text, keyEnd) + 1); // past the colon
    const valueEnd = skipValue(text, valueStart);
    list.push({ key, start: i, valueStart, valueEnd });
    i = skipWs(text, valueEnd);
    if (text[i] === ",") i = skipWs(text, i + 1);
  }
  return { list, open, close: i };
}

/** Whether text is a JSON object (and not an array, string, number …). */
export function isJsonObject(text: string): boolean {
  const t = text.trimStart();
  if (t[0] !== "{") return false;
  try {
    const v = JSON.parse(text);
    return v !== null && typeof v === "object" && !Array.isArray(v);
  } catch {
    return false;
  }
}

/**
 * The client's object with `"_from":id` as its last member; a `_from` the client sent is
 * removed first, so ids cannot be spoofed. Every other byte is kept. null if text is not a
 * JSON object.
 */
export function withFrom(text: string, id: number): string | null {
  if (!isJsonObject(text)) return null;
  const { list, open } = members(text);
  const from = `"_from":${id}`;
  if (list.length === 0) return `${text.slice(0, open + 1)}${from}${text.slice(open + 1)}`;
  const last = list[list.length - 1];
  // Everything outside the members (braces, whitespace) stays where it was; _from goes right
  // after the last member's value.
  let out = text.slice(0, list[0].start);
  let wrote = false;
  list.forEach((m, i) => {
    if (m.key === "_from") return;
    // A member keeps the separator that followed it, unless nothing kept follows.
    if (wrote) out += i > 0 ? text.slice(list[i - 1].valueEnd, m.start) : ",";
    out += text.slice(m.start, m.valueEnd);
    wrote = true;
  });
  return `${out}${wrote ? "," : ""}${from}${text.slice(last.valueEnd)}`;
}

/** What the server needs of an output line: where it goes, whether it is metadata or kept. */
export interface Routing {
  /** Client ids to send to; null is everyone in the room. */
  to: number[] | null;
  /** `_meta: true`: the object (without `_meta`) replaces the room's metadata. */
  meta: Record<string, unknown> | null;
  /** `_cache: true`: kept for replay under --cache=tagged. */
  cache: boolean;
}

const NONE: Routing = { to: null, meta: null, cache: false };

/**
 * Reads `_to`, `_meta` and `_cache` of an output line. A line that cannot carry them (no such
 * key anywhere in its text, nor a \u escape that could spell one) costs substring searches,
 * not a parse.
 */
export function routing(line: string): Routing {
  if (
    !line.includes("_to") && !line.includes("_meta") && !line.includes("_cache") &&
    !line.includes("\\u")
  ) return NONE;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return NONE;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return NONE;
  const obj = value as Record<string, unknown>;
  const cache = obj._cache === true;
  if (obj._meta === true) {
    // Rebuilt by our own reader: see readJson for the V8 bug that garbles escaped keys.
    const { _meta: _, ...meta } = readJson(line) as Record<string, unknown>;
    return { to: null, meta, cache };
  }
  const to = obj._to;
  if (typeof to === "number") return { to: [to], meta: null, cache };
  if (Array.isArray(to)) {
    return { to: to.filter((x) => typeof x === "number"), meta: null, cache };
  }
  return { to: null, meta: null, cache };
}

/**
 * Reads JSON text that JSON.parse has accepted, building objects itself. V8 (Deno 2.9's V8
 * 15; Node 24 and 26 too) can decode an escaped object key wrongly after an earlier parse
 * left a matching map transition: after `{"a":0,"\\":1}`, `{"a":0,"\"":1}` comes back with
 * the key `\` (nodejs/node#63785). Lone strings and numbers still go through JSON.parse, a
 * path that bug does not touch. Keys become own properties, "__proto__" included.
 */
export function readJson(text: string): unknown {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\r\n".includes(text[i])) i++;
  };
  const string = (): string => {
    const end = skipString(text, i);
    const s = JSON.parse(text.slice(i, end)) as string;
    i = end;
    return s;
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === '"') return string();
    if (c === "[" || c === "{") {
      const close = c === "[" ? "]" : "}";
      const arr: unknown[] = [];
      const obj: Record<string, unknown> = {};
      i++;
      ws();
      while (text[i] !== close) {
        if (c === "[") arr.push(value());
        else {
          ws();
          const key = string();
          ws();
          i++; // the colon
          Object.defineProperty(obj, key, {
            value: value(),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        ws();
        if (text[i] === ",") i++;
        ws();
      }
      i++;
      return c === "[" ? arr : obj;
    }
    const end = skipValue(text, i);
    const v = JSON.parse(text.slice(i, end));
    i = end;
    return v;
  };
  return value();
}
