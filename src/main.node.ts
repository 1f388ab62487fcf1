// Entry point on Node: build the runtime, run, exit with run's code.
import process from "node:process";
import { nodeRuntime } from "./runtime/node.ts";
import { run } from "./run.ts";
import { capYoungGeneration } from "./runtime/heap.ts";

capYoungGeneration();

const code = await run(process.argv.slice(2), nodeRuntime(), {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
});
// Let stdout and stderr drain before leaving.
process.exitCode = code;
process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
