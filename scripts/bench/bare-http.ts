// The start-up baseline: the least a Node HTTP server does before it listens.
//
//   node bare-http.mjs PORT
import { createServer } from "node:http";
import process from "node:process";

const port = Number(process.argv[2] ?? 0);
createServer((_req, res) => res.end("ok")).listen(port, "127.0.0.1", () => {
  process.stderr.write(`listening on http://127.0.0.1:${port}\n`);
});
process.on("SIGTERM", () => process.exit(0));
