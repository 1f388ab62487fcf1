// run(argv): parse the command line, start the server, and say how it ended (an exit code).
import { parseCli } from "./cli/parse.ts";
import { HELP, versionLine } from "./cli/help.ts";
import { createLogger } from "./log.ts";
import type { Runtime } from "./runtime/types.ts";
import { startServer } from "./server/server.ts";
import { VERSION } from "./version.ts";
import { WATCHDOG_FLAG } from "./cluster/watchdog.ts";

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

/** Never exits and never throws: the entry file exits with the code this resolves to. */
export async function run(argv: string[], runtime: Runtime, io: Io): Promise<number> {
  // Cluster mode starts a copy of this program as its watchdog (see src/cluster/watchdog.ts).
  if (argv.length === 1 && argv[0] === WATCHDOG_FLAG) {
    return await (await import("./cluster/watchdog-process.ts")).watchdogMain();
  }
  const parsed = parseCli(argv, runtime.os, runtime.env());
  if (parsed.kind === "help") return io.out(HELP), EXIT.ok;
  if (parsed.kind === "version") return io.out(versionLine(VERSION) + "\n"), EXIT.ok;
  if (parsed.kind === "usage") {
    io.err(`${parsed.message}\nRun 'scalesocket --help' for usage.\n`);
    return EXIT.usage;
  }
  const config = parsed.config;
  const env = runtime.env();
  const log = createLogger({
    format: config.log,
    level: config.logLevel,
    write: io.err,
    color: runtime.stderrIsTTY() && env.NO_COLOR === undefined,
  });
  let server;
  try {
    server = await startServer(config, runtime, log, VERSION);
  } catch (err) {
    io.err(`${(err as Error).message}\n`);
    return EXIT.failure;
  }
  let signals = 0;
  const removeSignals = runtime.onSignal((signal) => {
    if (++signals === 1) {
      log.info(`received ${signal}, draining`);
      void server.stop();
    } else {
      log.warn(`received ${signal} again, stopping at once`);
      server.kill();
    }
  });
  const code = await server.finished;
  removeSignals();
  log.info("stopped");
  return code;
}
