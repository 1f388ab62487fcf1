// The fan-out child: waits for `go N` on stdin, then prints N timestamped lines as fast as the
// pipe takes them, in 64 KiB writes (`go N RATE`: RATE lines a second). Other input is ignored.
import process from "node:process";
import { GO, pace, payload, PAYLOAD_BYTES } from "./protocol.ts";

const BATCH = Math.floor(65536 / (PAYLOAD_BYTES + 1));

/** Writes lines [from, n) a batch at a time, waiting for the pipe to drain between batches. */
function produce(n: number, from = 0): void {
  let seq = from;
  while (seq < n) {
    const end = Math.min(n, seq + BATCH);
    let text = "";
    for (; seq < end; seq++) text += payload(0, seq) + "\n";
    if (!process.stdout.write(text)) {
      process.stdout.once("drain", () => produce(n, seq));
      return;
    }
  }
}

function write(from: number, to: number): void {
  let text = "";
  for (let seq = from; seq < to; seq++) text += payload(0, seq) + "\n";
  process.stdout.write(text);
}

let carry = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk: string) => {
  const lines = (carry + chunk).split("\n");
  carry = lines.pop() ?? "";
  for (const line of lines) {
    const go = GO.exec(line);
    if (go && go[2]) pace(Number(go[1]), Number(go[2]), write);
    else if (go) produce(Number(go[1]));
  }
});
process.stdin.on("end", () => process.exit(0));
process.stdout.on("error", () => process.exit(0));
