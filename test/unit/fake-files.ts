// An in-memory file tree with symlinks, serving the runtime's file members in unit tests.
import type { Runtime, StaticFile } from "../../src/runtime/types.ts";

/** A file's text, or a symlink to a path (relative to the link's directory, or absolute). */
export type Entry = string | { link: string };

/** Symlinks followed before a path counts as a loop (as ELOOP does). */
const MAX_LINKS = 40;

export class FakeFiles {
  private readonly dirs = new Set<string>(["/"]);

  /** entries: absolute path → entry; every directory above an entry exists. */
  constructor(private readonly entries: Record<string, Entry>) {
    for (const path of Object.keys(entries)) {
      for (let dir = parent(path); dir !== "/"; dir = parent(dir)) this.dirs.add(dir);
    }
  }

  /** Points the runtime's file members at this tree. */
  install(runtime: Pick<Runtime, "realPath" | "isDir" | "openFile">): void {
    runtime.realPath = (path) => Promise.resolve(this.resolve(path));
    runtime.isDir = (path) => Promise.resolve(this.dirs.has(this.resolve(path) ?? ""));
    runtime.openFile = (path) => Promise.resolve(this.open(path));
  }

  /** The path with every symlink followed; null when it does not exist or loops. */
  resolve(path: string, links = { followed: 0 }): string | null {
    let at = "/";
    for (const part of path.split("/")) {
      if (part === "" || part === ".") continue;
      if (part === "..") {
        at = parent(at);
        continue;
      }
      const next = at === "/" ? `/${part}` : `${at}/${part}`;
      const entry = this.entries[next];
      if (typeof entry === "object") {
        if (++links.followed > MAX_LINKS) return null;
        const target = entry.link.startsWith("/") ? entry.link : `${at}/${entry.link}`;
        const real = this.resolve(target, links);
        if (real === null) return null;
        at = real;
      } else if (typeof entry === "string" || this.dirs.has(next)) {
        at = next;
      } else {
        return null;
      }
    }
    return at;
  }

  private open(path: string): StaticFile | null {
    const real = this.resolve(path);
    const text = real === null ? undefined : this.entries[real];
    if (typeof text !== "string") return null;
    const bytes = new TextEncoder().encode(text);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes);
        controller.close();
      },
    });
    return { body, size: bytes.byteLength };
  }
}

function parent(path: string): string {
  const cut = path.lastIndexOf("/");
  return cut <= 0 ? "/" : path.slice(0, cut);
}
