// --joinmsg / --leavemsg templates: #ID, #ROOM, #REMOTE_ADDR, #QUERY_STRING, #QUERY_<NAME>.

export interface TemplateVars {
  id: number;
  room: string;
  remote: string;
  /** The raw query string, without "?". */
  query: string;
}

// The longest name wins, so "#QUERY_STRING_X" is the parameter STRING_X, never
// "#QUERY_STRING" followed by "_X": the result never depends on which names exist.
const PLACEHOLDER = /#([A-Z][A-Z0-9_]*[A-Za-z0-9_]*)/g;

/**
 * Replaces the placeholders. Values a client chooses (room, query) are percent-encoded, so
 * they cannot break out of JSON strings or add lines; unknown placeholders stay as written.
 */
export function expand(template: string, vars: TemplateVars): string {
  let params: URLSearchParams | null = null;
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    switch (name) {
      case "ID":
        return String(vars.id);
      case "ROOM":
        return encodeURIComponent(vars.room);
      case "REMOTE_ADDR":
        return vars.remote;
      case "QUERY_STRING":
        // Kept as a query string, with anything that could end a JSON string or a line
        // (quotes, backslashes, spaces, controls) percent-encoded.
        // (`u`: a character outside the BMP is one match, encoded whole as UTF-8.)
        return vars.query.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/?%]/gu, encodeURIComponent);
    }
    if (name.startsWith("QUERY_")) {
      params ??= new URLSearchParams(vars.query);
      const value = queryParam(params, name.slice(6));
      return value === null ? whole : encodeURIComponent(value);
    }
    return whole;
  });
}

/**
 * ScaleSocket upper-cases query keys (?name= is #QUERY_NAME), and templates written for us say
 * #QUERY_name: the exact key wins, else the first whose upper case matches. Null when absent,
 * so the placeholder stays as written, as ScaleSocket leaves it.
 */
function queryParam(params: URLSearchParams, key: string): string | null {
  const exact = params.get(key);
  if (exact !== null) return exact;
  const upper = asciiUpper(key);
  for (const [k, v] of params) if (asciiUpper(k) === upper) return v;
  return null;
}

/** Only a–z: toUpperCase would let "ß" match #QUERY_SS and "ı" match #QUERY_I. */
function asciiUpper(text: string): string {
  return text.replace(/[a-z]/g, (c) => c.toUpperCase());
}
