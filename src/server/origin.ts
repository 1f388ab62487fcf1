// websocketd's origin policy: --sameorigin and --origin=host[:port],… answer 403.

export interface OriginPolicy {
  /** The Origin must name the host the request was sent to. */
  same: boolean;
  /** Allowed origins: host, host:port or scheme://host[:port]; null allows any. */
  allow: string[] | null;
}

interface Parsed {
  scheme: string;
  host: string;
  /** "" when not given. */
  port: string;
}

function parse(entry: string, defaultScheme = ""): Parsed | null {
  const withScheme = entry.includes("://") ? entry : `${defaultScheme || "x"}://${entry}`;
  try {
    const u = new URL(withScheme);
    return {
      scheme: entry.includes("://") ? u.protocol.slice(0, -1) : "",
      host: u.hostname.toLowerCase(),
      port: u.port,
    };
  } catch {
    return null;
  }
}

const DEFAULT_PORT: Record<string, string> = { http: "80", https: "443", ws: "80", wss: "443" };

/** The port an origin really uses: its own, or its scheme's default. */
function portOf(p: Parsed): string {
  return p.port || DEFAULT_PORT[p.scheme] || "";
}

/** Whether a websocket request with this Origin (and Host) header may be upgraded. */
export function originAllowed(
  policy: OriginPolicy,
  origin: string | undefined,
  host: string | undefined,
  tls: boolean,
): boolean {
  if (!policy.same && policy.allow === null) return true;
  // Once a policy is set, a request that does not say where it comes from is refused.
  if (!origin || origin === "null") return false;
  const o = parse(origin);
  if (!o || !o.scheme) return false;
  if (policy.same) {
    const h = host ? parse(host, tls ? "https" : "http") : null;
    if (!h || h.host !== o.host) return false;
    if ((h.port || (tls ? "443" : "80")) !== portOf(o)) return false;
  }
  if (policy.allow !== null) {
    return policy.allow.some((entry) => {
      const a = parse(entry);
      if (!a || a.host !== o.host) return false;
      if (a.scheme && a.scheme !== o.scheme) return false;
      // An entry without a port matches any port.
      return a.port === "" || a.port === portOf(o);
    });
  }
  return true;
}
