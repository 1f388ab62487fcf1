// Entry point on Deno: build the runtime (node.ts, through Deno's Node compatibility), run, exit.
import { nodeRuntime } from "./runtime/node.ts";
import { run } from "./run.ts";

const encoder = new TextEncoder();
const writeAll = (file: typeof Deno.stdout, text: string) => {
  const bytes = encoder.encode(text);
  for (let off = 0; off < bytes.length;) off += file.writeSync(bytes.subarray(off));
};

const code = await run(Deno.args, nodeRuntime(), {
  out: (text) => writeAll(Deno.stdout, text),
  err: (text) => writeAll(Deno.stderr, text),
});
Deno.exit(code);
