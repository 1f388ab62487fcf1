// The child's environment: passed server variables plus websocketd's CGI variables.
import type { PeerInfo } from "./door.ts";

/** The request that started the child, as the server saw it. */
export interface RequestInfo {
  /** "GET". */
  method: string;
  /** Full request URL; its path and query are passed raw. */
  url: URL;
  /** "1.1" becomes SERVER_PROTOCOL "HTTP/1.1". */
  httpVersion: string;
  /** Names in any case; a name may repeat. */
  headers: Iterable<[string, string]>;
  peer: PeerInfo;
  tls: boolean;
}

export interface EnvOptions {
  serverEnv: Record<string, string>;
  /** Names of serverEnv variables the child inherits. */
  passEnv: string[];
  req: RequestInfo;
  /** ROOM, when the child serves a room. */
  room: string | null;
  scriptName: string;
  pathInfo: string;
  serverSoftware: string;
  uniqueId: string;
  /** REMOTE_HOST when a reverse lookup found a name (--reverselookup). */
  remoteHost?: string;
  /** Set last, over everything else (e.g. PORT in TCP mode). */
  extra?: Record<string, string>;
}

// A NUL ends a C string early and a newline would smuggle a second variable into tools that
// read `env` output line by line: such a variable is left out, never truncated.
const UNSAFE = /[\0\n\r]/;
// No "_": X_Forwarded_For would merge into HTTP_X_FORWARDED_FOR with the real header, letting a
// client put its entry where a proxy's is expected (Apache's CGI and nginx drop such names too).
const HEADER_NAME = /^[A-Za-z0-9-]+$/;
// Set only sometimes (TLS, a room), so a passed server variable could pose as them.
const CONDITIONAL = new Set(["HTTPS", "ROOM"]);
const UNSUPPORTED = ["AUTH_TYPE", "CONTENT_LENGTH", "CONTENT_TYPE", "REMOTE_IDENT", "REMOTE_USER"];

/** Everything websocketd 0.4.1 sets (the empty ones too), plus HTTP_HOST and ROOM. */
export function childEnv(o: EnvOptions): Record<string, string> {
  const { req } = o;
  const headers = [...req.headers]; // read twice; the iterable may be a one-shot iterator
  const env: Record<string, string> = {};
  const set = (name: string, value: string) => {
    if (name === "" || name.includes("=") || UNSAFE.test(name) || UNSAFE.test(value)) return;
    // Deleting first moves a re-set name to the end, so the object's order is the order of
    // precedence a reader would expect.
    delete env[name];
    env[name] = value;
  };
  for (const name of o.passEnv) {
    if (Object.hasOwn(o.serverEnv, name) && !CONDITIONAL.has(name)) set(name, o.serverEnv[name]);
  }
  // Set after the passed variables so the server's environment cannot spoof them.
  const addr = remoteAddr(req.peer.address);
  const host = headerValue(headers, "host") ?? "";
  const [serverName, serverPort] = hostPort(host, req.tls);
  const search = req.url.search;
  set("SERVER_SOFTWARE", o.serverSoftware);
  set("REMOTE_ADDR", addr);
  // The peer's host name with --reverselookup (found by the caller), else its address.
  set("REMOTE_HOST", o.remoteHost ?? addr);
  set("REMOTE_PORT", String(req.peer.port));
  set("SERVER_NAME", serverName);
  set("SERVER_PORT", serverPort);
  set("SERVER_PROTOCOL", `HTTP/${req.httpVersion}`);
  set("GATEWAY_INTERFACE", "CGI/1.1");
  set("REQUEST_METHOD", req.method);
  set("SCRIPT_NAME", o.scriptName);
  set("PATH_INFO", o.pathInfo);
  // RFC 3875 §4.1.6: without PATH_INFO there is nothing to translate, so no PATH_TRANSLATED.
  if (o.pathInfo !== "") set("PATH_TRANSLATED", req.url.pathname);
  else delete env.PATH_TRANSLATED;
  set("QUERY_STRING", search.slice(1));
  set("REQUEST_URI", req.url.pathname + search);
  // Unsupported but set empty, as websocketd does, so nothing leaks in from the server.
  for (const name of UNSUPPORTED) set(name, "");
  set("UNIQUE_ID", o.uniqueId);
  if (req.tls) set("HTTPS", "on");
  if (o.room !== null) set("ROOM", o.room);
  for (const [name, value] of headerVars(headers)) set(name, value);
  for (const [name, value] of Object.entries(o.extra ?? {})) set(name, value);
  return env;
}

/** HTTP_<NAME> per header; repeats joined with ", " in arrival order, as websocketd does. */
function headerVars(headers: Iterable<[string, string]>): Map<string, string> {
  const vars = new Map<string, string>();
  for (const [name, value] of headers) {
    // Checked before upper-casing: toUpperCase would turn "ı" into "I" and "ß" into "SS".
    if (!HEADER_NAME.test(name)) continue;
    // httpoxy (CVE-2016-5385): a "Proxy" header would become HTTP_PROXY, which HTTP client
    // libraries in the child take as their proxy. Apache and nginx advise dropping it too.
    if (name.toLowerCase() === "proxy") continue;
    const key = "HTTP_" + name.toUpperCase().replaceAll("-", "_");
    const prev = vars.get(key);
    vars.set(key, prev === undefined ? value : `${prev}, ${value}`);
  }
  return vars;
}

function headerValue(headers: Iterable<[string, string]>, wanted: string): string | null {
  for (const [name, value] of headers) if (name.toLowerCase() === wanted) return value;
  return null;
}

/** CGI wants the bare IPv4 address, not the IPv4-mapped IPv6 form a dual-stack socket gives. */
function remoteAddr(address: string): string {
  const m = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return m ? m[1] : address;
}

/**
 * SERVER_NAME and SERVER_PORT from a Host header. Like websocketd (Go's net.SplitHostPort) a
 * missing port is 80 or 443 and an unparsable host gives both empty; unlike it, the brackets
 * of an IPv6 literal are removed with or without a port ("[::1]" → "::1", 80).
 */
function hostPort(host: string, tls: boolean): [string, string] {
  const dflt = tls ? "443" : "80";
  let name = host;
  let rest = "";
  if (host.startsWith("[")) {
    const close = host.indexOf("]");
    if (close === -1) return ["", ""];
    name = host.slice(1, close);
    rest = host.slice(close + 1);
    if (rest !== "" && !rest.startsWith(":")) return ["", ""];
  } else {
    const colon = host.indexOf(":");
    if (colon !== -1) {
      if (host.indexOf(":", colon + 1) !== -1) return ["", ""];
      name = host.slice(0, colon);
      rest = host.slice(colon);
    }
  }
  if (rest === "") return [name, dflt];
  return [name, rest.slice(1)];
}
