// Checks a --cluster Redis URL and hides its password wherever the URL is shown.

/** One-line reason the URL cannot be used, or null when it can. */
export function checkRedisUrl(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `not a URL: ${JSON.stringify(redactUrl(url))}`;
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    return `expected redis:// or rediss://, got ${JSON.stringify(parsed.protocol)}`;
  }
  if (!parsed.hostname) return "no host";
  const db = parsed.pathname.replace(/^\//, "");
  if (db !== "" && !/^\d{1,5}$/.test(db)) {
    return `database must be a number, got ${JSON.stringify(decodeSafe(db))}`;
  }
  if (parsed.search || parsed.hash) return "query and fragment are not supported";
  return null;
}

/**
 * The URL with its password replaced by "***", for logs and error messages. Text with an "@"
 * but no user info is cut at its last "@", so a password in it is never echoed either.
 */
export function redactUrl(url: string): string {
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    // Not a URL at all; handled below with the opaque ones.
  }
  if (parsed?.password) {
    parsed.password = "***";
    return parsed.href;
  }
  if (parsed?.username) return url;
  // "scheme:pass@host" parses with an opaque path, not as user info: hide it all the same.
  const at = url.lastIndexOf("@");
  return at < 0 ? url : "***" + url.slice(at);
}

function decodeSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
