// The least any relay can do: a process that copies each client's bytes to the room's owner and
// back, one TCP connection each, no parsing. In front of a cluster's owner it is the floor of
// what a second process on the path costs (cluster.ts's "through a TCP proxy" peer).
//   node tcp-proxy.mjs LISTEN_PORT TARGET_PORT
import { connect, createServer } from "node:net";
import process from "node:process";

const [listen, target] = process.argv.slice(2).map(Number);
if (!(listen > 0 && target > 0)) {
  process.stderr.write("usage: tcp-proxy LISTEN_PORT TARGET_PORT\n");
  process.exit(2);
}

createServer((client) => {
  const owner = connect(target, "127.0.0.1");
  // As ws sets on its own sockets: a small frame is not held back for the next one.
  client.setNoDelay(true);
  owner.setNoDelay(true);
  client.pipe(owner);
  owner.pipe(client);
  client.on("error", () => owner.destroy());
  owner.on("error", () => client.destroy());
  client.on("close", () => owner.destroy());
  owner.on("close", () => client.destroy());
}).listen(listen, "127.0.0.1");
