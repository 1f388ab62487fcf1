// The young generation of V8's heap is kept at its initial size. It grows when many objects
// survive its collections, as every new connection's do: 1,000 connections made at once grew
// it by about 11 MB on Node, which it never gave back, doubling the memory an idle connection
// costs (docs/benchmarks.md). Short-lived garbage is still collected young, as before. Node
// only: Deno's V8 sizes its young generation at start-up and ignores the flag set later
// (`deno run --v8-flags=--max-semi-space-size=1` does it there).
import v8 from "node:v8";

export function keepYoungGenerationSmall(): void {
  // Read when the young generation is resized, so it takes effect although the heap exists.
  v8.setFlagsFromString("--semi-space-growth-factor=1");
}
