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
  const key = `${pathVar}\0${cmd}`;
  const known = found.get(key);
  // A hit is checked again (one stat instead of a walk along PATH), so a removed program is
  // looked for afresh.
  if (known !== undefined && await isExecutable(known)) return known;
  for (const dir of pathVar.split(":")) {
    // An empty entry means the working directory, as in POSIX shells.
    const candidate = `${dir === "" ? "." : dir}/${cmd}`;
    if (await isExecutable(candidate)) {
      found.set(key, candidate);
      return candidate;
    }
  }
  return cmd;
}

/**
 * Where cmd was found before on pathVar, if that file is still executable; checked without
 * waiting, so that a new room's spawn does not queue behind the event loop's other work.
 */
export function knownCommand(
  cmd: string,
  pathVar: string | undefined,
  isExecutableNow: (path: string) => boolean,
): string | undefined {
  const known = found.get(`${pathVar}\0${cmd}`);
  return known !== undefined && isExecutableNow(known) ? known : undefined;
}

/** Where each command was last found, for each PATH: every spawn of a room looks it up. */
const found = new Map<string, string>();
