// Entry point of the bundle: one file for both runtimes, so pick the right entry at start.
declare const Deno: unknown;

if (typeof Deno === "object" && Deno !== null) await import("./main.deno.ts");
else await import("./main.node.ts");
