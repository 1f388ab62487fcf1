// Runs every unit test file in one process: `tsx test/unit/run.ts` on Node and
// `deno test test/unit/run.ts` on Deno (npm run test:unit). Started one by one, each file paid
// for its own process (a tsx start is about 2 s on two cores) or Deno isolate, which was most
// of the unit tests' time. One file alone: `npx tsx --test test/unit/x.test.ts`.
import { readdirSync } from "node:fs";

const here = new URL("./", import.meta.url);
const files = readdirSync(here).filter((name) => name.endsWith(".test.ts")).sort();
for (const name of files) await import(new URL(name, here).href);
