// Runs every unit test file in one Node process (npm run test:unit). `tsx --test` starts one
// process per file, and each start of tsx costs about 2 s on two cores: most of the time the
// unit tests took. One file on its own still runs with `npx tsx --test test/unit/x.test.ts`.
import { readdirSync } from "node:fs";

const here = new URL("./", import.meta.url);
const files = readdirSync(here).filter((name) => name.endsWith(".test.ts")).sort();
for (const name of files) await import(new URL(name, here).href);
