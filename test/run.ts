// Runs test files two at a time with the longest first: `node --test` sorts files by path, which
// started the longest end-to-end file (the whole suite on Node) last, alone on one core.
// Usage (npm run test:e2e): node --import tsx test/run.ts [--timeout=MS] FILE...
import { run } from "node:test";
import { spec, tap } from "node:test/reporters";
import process from "node:process";

/** The files that take longest, most first; any other file keeps the order it was given in. */
const LONGEST = ["test/e2e/node.test.ts", "test/e2e/deno.test.ts"];

const args = process.argv.slice(2);
const timeout = Number(args.find((a) => a.startsWith("--timeout="))?.slice(10) ?? Infinity);
const given = args.filter((a) => !a.startsWith("--"));
const rank = (file: string) => {
  const i = LONGEST.findIndex((long) => file.endsWith(long));
  return i === -1 ? LONGEST.length : i;
};
const files = given.map((file, i) => ({ file, i }))
  .sort((a, b) => rank(a.file) - rank(b.file) || a.i - b.i)
  .map(({ file }) => file);

const stream = run({ files, concurrency: 2, timeout });
stream.on("test:fail", () => process.exitCode = 1);
// As node --test does: spec for a terminal, TAP for a log.
const reported = process.stdout.isTTY ? stream.compose(new spec()) : stream.compose(tap);
reported.pipe(process.stdout);
