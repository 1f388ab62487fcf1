// Serves --staticdir over GET and HEAD, never anything outside it.
import type { MiddlewareHandler } from "hono";
import { serveStatic } from "hono/serve-static";
import type { Runtime } from "../runtime/types.ts";

/**
 * Hono's serve-static already refuses `..`, `%2e%2e`, `%2f`, doubled slashes and backslashes
 * in the decoded path; we add the check it cannot do: the file's real path (symlinks
 * resolved) must still be inside the real root.
 */
export async function staticFiles(root: string, runtime: Runtime): Promise<MiddlewareHandler> {
  const realRoot = await runtime.realPath(root);
  if (realRoot === null) throw new Error(`Cannot serve "${root}": directory not found`);
  if (!await runtime.isDir(realRoot)) throw new Error(`Cannot serve "${root}": not a directory`);
  const inside = (p: string) =>
    p === realRoot || p.startsWith(realRoot.endsWith("/") ? realRoot : realRoot + "/") ||
    p.startsWith(realRoot + "\\");
  return serveStatic({
    root: realRoot,
    isDir: async (path) => {
      const real = await runtime.realPath(path);
      return real !== null && inside(real) && await runtime.isDir(real);
    },
    getContent: async (path, c) => {
      const real = await runtime.realPath(path);
      if (real === null || !inside(real)) return null;
      const file = await runtime.openFile(real);
      if (!file) return null;
      c.header("Content-Length", String(file.size));
      // Hono answers HEAD by running GET and dropping the body: do not hold the file open.
      if (c.req.method === "HEAD") {
        await file.body.cancel();
        return new Uint8Array(0);
      }
      return file.body;
    },
  });
}
