// Turns a runtime's spawn failure into the one-line reason users see.

const REASONS: Record<string, string> = {
  ENOENT: "file not found",
  NotFound: "file not found",
  EACCES: "permission denied",
  PermissionDenied: "permission denied",
  ENOEXEC: "not an executable",
  ENOTDIR: "a path component is not a directory",
  EISDIR: "is a directory",
};

export function spawnErrorMessage(cmd: string, code: string): string {
  return `Cannot spawn ${JSON.stringify(cmd)}: ${REASONS[code] ?? code}`;
}
