// A reference JSON reader for the property tests, independent of JSON.parse's object path.
//
// V8 (Deno 2.9's V8 15.0; Node 24 and 26 too) can decode an escaped object key wrongly once
// an earlier parse left a map transition whose raw text matches: after `{"a":0,"\\":1}`,
// `{"a":0,"\"":1}` reads back with the key `\` (nodejs/node#63785, crbug 521080746). Only
// lone strings go through JSON.parse here, a path that bug does not touch.

/** Parses text, which JSON.parse must accept too; objects are plain, keys kept in order. */
export function refParse(text: string): unknown {
  JSON.parse(text); // the syntax check; its value may be wrong, its verdict is not
  let i = 0;
  const ws = () => {
    while (" \t\r\n".includes(text[i]) && i < text.length) i++;
  };
  const string = (): string => {
    const start = i++;
    while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    return JSON.parse(text.slice(start, ++i));
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === '"') return string();
    if (c === "[") {
      const out: unknown[] = [];
      i++;
      ws();
      if (text[i] === "]") return i++, out;
      for (;;) {
        out.push(value());
        ws();
        if (text[i++] === "]") return out;
      }
    }
    if (c === "{") {
      const out: Record<string, unknown> = {};
      i++;
      ws();
      if (text[i] === "}") return i++, out;
      for (;;) {
        ws();
        const key = string();
        ws();
        i++; // the colon
        out[key] = value();
        ws();
        if (text[i++] === "}") return out;
      }
    }
    const m = /^(?:true|false|null|-?[0-9.eE+-]+)/.exec(text.slice(i, i + 400))!;
    i += m[0].length;
    return JSON.parse(m[0]);
  };
  return value();
}

/** The decoded keys of a JSON object's top-level members, duplicates included, in order. */
export function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let i = text.indexOf("{") + 1;
  const ws = () => {
    while (" \t\r\n".includes(text[i])) i++;
  };
  const skipString = () => {
    const start = i++;
    while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    return text.slice(start, ++i);
  };
  for (ws(); text[i] === '"'; ws()) {
    keys.push(JSON.parse(skipString()));
    ws();
    i++; // the colon
    ws();
    for (let depth = 0; i < text.length; i++) {
      const c = text[i];
      if (c === '"') {
        skipString();
        i--;
      } else if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        if (depth === 0) break;
        depth--;
      } else if (c === "," && depth === 0) break;
    }
    if (text[i] === ",") i++;
  }
  return keys;
}
