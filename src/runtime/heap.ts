// V8's young generation is capped at 8 MB on Node. It grows whenever many objects survive its
// collections, as every new connection's do: 1,000 connections made at once grew it from 2 to
// 32 MB, which it never gave back, doubling what an idle connection costs (docs/benchmarks.md).
// Not capped at all, fewer collections; kept at 2 MB, memory at its least but 8 times the
// collections under load (fan-out and echo lost 7-12 % of the server's CPU to them).
import v8 from "node:v8";
import { PerformanceObserver } from "node:perf_hooks";

/** Both halves of the young generation: 4 MB semi-spaces. */
const CAP = 8 * 1024 * 1024;

/**
 * Stops the young generation's growth once it reaches CAP. The size can only be capped from
 * the command line, but the growth factor is read at each resize, so it can be set to 1 late.
 * Deno's V8 ignores it once started (`deno run --v8-flags=--max-semi-space-size=4` does it).
 */
export function capYoungGeneration(): void {
  const observer = new PerformanceObserver(() => {
    const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
    if (!young || young.space_size < CAP) return;
    v8.setFlagsFromString("--semi-space-growth-factor=1");
    observer.disconnect();
  });
  // Checked after each collection, the moment the space may have grown.
  observer.observe({ entryTypes: ["gc"] });
}
