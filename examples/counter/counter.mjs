// A shared counter per room, for `scalesocket --json node counter.mjs`: any language will do.
//
// Reads one JSON object per line on stdin: {"t":"Join"|"Leave","_from":ID} from scalesocket,
// {"t":"Add","n":N,"_from":ID} and {"t":"Reset","_from":ID} from pages. Prints one per line:
// the count to one page ("_to") or to the whole room, and "_meta" lines for the lobby (--api).
// Runs on Deno unchanged: `deno run counter.mjs`.
import process from "node:process";
import { createInterface } from "node:readline";

let count = 0;
const online = new Set();

const send = (msg) => process.stdout.write(JSON.stringify(msg) + "\n");

function handle(msg) {
  const who = msg._from;
  switch (msg.t) {
    case "Join":
      online.add(who);
      send({ _to: who, t: "Count", count, online: online.size, you: who });
      send({ t: "Online", online: online.size });
      break;
    case "Leave":
      online.delete(who);
      send({ t: "Online", online: online.size });
      break;
    case "Add":
      // Whatever a page sends, a click moves the count by at most 1 either way.
      count += Math.sign(Number(msg.n) || 0);
      send({ t: "Count", count, by: who });
      break;
    case "Reset":
      count = 0;
      send({ t: "Count", count, by: who });
      break;
    default:
      return;
  }
  send({ _meta: true, count, online: online.size });
}

for await (const line of createInterface({ input: process.stdin })) {
  try {
    handle(JSON.parse(line));
  } catch (e) {
    // One bad line must not end the room: say so on stderr, which scalesocket logs.
    console.error(`ignored ${JSON.stringify(line)}: ${e.message}`);
  }
}
