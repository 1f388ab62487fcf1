// Finds a bare command name on the server's PATH, so the child's environment (which may have
// no PATH at all, --passenv=) never decides which program runs.

/**
 * Returns the first executable `dir/cmd` on pathVar, or cmd unchanged when it names a path
 * (has a slash) or nothing is found: the spawn then fails and says why.
 */
export async function resolveCommand(
  cmd: string,
  pathVar: string | undefined,
  isExecutable: (path: string) => Promise<boolean>,
): Promise<string> {
  if (cmd.includes("/") || !pathVar) return cmd;
  for (const dir of pathVar.split(":")) {
    // An empty entry means the working directory, as in POSIX shells.
    const candidate = `${dir === "" ? "." : dir}/${cmd}`;
    if (await isExecutable(candidate)) return candidate;
  }
  return cmd;
}
