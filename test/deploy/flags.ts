// The scalesocket command lines that deploy/ passes, checked against --help and the real parser.
import assert from "node:assert/strict";
import { HELP } from "../../src/cli/help.ts";
import { parseCli, SECRET_ENV } from "../../src/cli/parse.ts";

/** Every long flag --help lists in its option column, aliases included ("alias --maxforks"). */
export function helpFlags(): Set<string> {
  const flags = new Set<string>();
  for (const line of HELP.split("\n")) {
    const option = /^ {2}(?:-\w, )?(--[a-z][a-z0-9-]*)/.exec(line);
    if (option) flags.add(option[1]);
    for (const alias of line.matchAll(/alias (--[a-z][a-z0-9-]*)/g)) flags.add(alias[1]);
  }
  return flags;
}

/** The flag names of a command line: the leading "--name" or "--name=value" words. */
export function flagNames(argv: readonly string[]): string[] {
  const names: string[] = [];
  for (const word of argv) {
    if (!word.startsWith("-")) break;
    names.push(word.split("=")[0]);
  }
  return names;
}

/** Stand-ins for what the platform fills in: the pod's IP and name, systemd's variables. */
const SAMPLES: Record<string, string> = {
  POD_IP: "10.1.2.3",
  POD_NAME: "scalesocket-7d4b9c-x2x9q",
  SCALESOCKET_ADVERTISE: "10.0.0.7:9000",
};

function expand(word: string): string {
  return word.replace(/\$\((\w+)\)|\$\{(\w+)\}/g, (whole, a?: string, b?: string) => {
    const value = SAMPLES[a ?? b ?? ""];
    if (value === undefined) assert.fail(`no sample value for ${whole} in "${word}"`);
    return value;
  });
}

/**
 * Asserts that every flag of `argv` is in --help and that scalesocket's own parser accepts the
 * whole line, the secret coming from the environment as deploy/ gives it. Until the cluster
 * registry is wired, "--cluster is not supported yet" is the one usage error allowed.
 */
export function assertCommandLine(argv: readonly string[], where: string): void {
  const known = helpFlags();
  const names = flagNames(argv);
  assert.ok(names.length > 0, `${where}: no flags found in ${JSON.stringify(argv)}`);
  for (const name of names) {
    assert.ok(known.has(name), `${where} passes ${name}, which scalesocket --help does not list`);
  }
  const env = { [SECRET_ENV]: "0123456789abcdef-test-secret" };
  const result = parseCli(argv.map(expand), "linux", env);
  if (result.kind === "usage" && result.message === "--cluster is not supported yet") return;
  assert.equal(
    result.kind,
    "run",
    `${where}: scalesocket would refuse its command line: ${JSON.stringify(result)}`,
  );
}

/** The value of `--name=value` in argv, or undefined. */
export function flagValue(argv: readonly string[], name: string): string | undefined {
  const word = argv.find((w) => w.startsWith(`${name}=`));
  return word?.slice(name.length + 1);
}
