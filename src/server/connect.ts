// The websocket side of a room connection: a socket becomes a room Member, and back.
import type { Context } from "hono";
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import type { Runtime, SocketEvents, WireSocket } from "../runtime/types.ts";
import type { Member } from "../room/room.ts";
import type { Target } from "./target.ts";
import type { Sender } from "../codec/input.ts";
import { CLOSE } from "../room/room.ts";
import type { RoomRegistry } from "../room/registry.ts";
import { childEnv } from "../room/env.ts";
import type { Stats } from "../room/stats.ts";

export interface ConnectDeps {
  config: Config;
  runtime: Runtime;
  log: Logger;
  registry: RoomRegistry;
  /** The server's environment, read once (the child gets the --passenv part of it). */
  serverEnv: Record<string, string>;
  stats: Stats;
  version: string;
  nextId: () => number;
  /** Called when a connection of a room ends (after its member left). */
  onDisconnect: () => void;
}

/** How long an upgrade may take before its reservation of the room lapses. */
const HANDSHAKE_MS = 10_000;
/** How long a closed, non-reading client may hold its backlog before it is cut off. */
const CLOSE_GRACE_MS = 2_000;

export function roomEvents(c: Context, target: Target, d: ConnectDeps): SocketEvents {
  let room = target.room;
  let release = room.reserve();
  const timer = setTimeout(release, HANDSHAKE_MS);
  const peer = d.runtime.peer(c);
  // Only the connection that starts a room's child needs its request: dropped after the join,
  // so an idle connection keeps no copy of it.
  let request: { url: URL; method: string; headers: [string, string][] } | null = {
    url: new URL(c.req.url),
    method: c.req.method,
    headers: [...c.req.raw.headers],
  };
  const query = request.url.search.slice(1);
  const env = () => {
    const req = {
      ...request!,
      httpVersion: "1.1",
      peer,
      tls: d.config.tls !== null,
    };
    return (async () =>
      childEnv({
        remoteHost: d.config.reverseLookup
          ? await d.runtime.reverseLookup(peer.address) ?? undefined
          : undefined,
        serverEnv: d.serverEnv,
        passEnv: d.config.passEnv,
        req,
        room: target.envRoom,
        scriptName: target.scriptName,
        pathInfo: target.pathInfo,
        serverSoftware: `scalesocket/${d.version}`,
        uniqueId: crypto.randomUUID(),
      }))();
  };
  let member: Member | null = null;
  let opened = 0;
  /** Whether the server counts this connection as open (so onDisconnect must follow). */
  let counted = false;
  const done = () => {
    clearTimeout(timer);
    release();
  };
  return {
    onOpen(socket) {
      const raw = d.runtime.wire(socket);
      const id = d.nextId();
      counted = true;
      member = toMember({ id, remote: env4(peer.address), query }, raw);
      opened = Date.now();
      // The room may have ended between the upgrade and now: take the fresh one.
      if (room.state === "stopping" || room.state === "ended") {
        const fresh = target.envRoom === null
          ? null
          : d.registry.open(room.name, { program: room.program });
        if (!fresh) {
          member = null;
          d.stats.refused("too_many_rooms");
          return raw.close(1013, "too many rooms");
        }
        done();
        release = fresh.reserve();
        room = fresh;
      }
      d.log.info("client connected", { room: room.name, id, remote: member.remote });
      d.stats.connected(room.name);
      room.join(member, env);
      request = null;
      done();
    },
    onMessage(data) {
      // --maxframesize is enforced by ws (maxPayload) from the frame header, before any payload.
      if (member) room.input(member, data);
    },
    onClose(code) {
      done();
      if (counted) {
        counted = false;
        // After the member's bookkeeping below, so --oneshot sees the room already left.
        queueMicrotask(d.onDisconnect);
      }
      if (!member) return;
      room.leave(member);
      d.stats.disconnected(room.name);
      d.log.info("client disconnected", {
        room: room.name,
        id: member.id,
        remote: member.remote,
        code,
        ms: Date.now() - opened,
      });
      member = null;
    },
  };
}

/** An IPv4 peer seen on a dual-stack socket is shown as plain IPv4. */
function env4(address: string): string {
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}

function toMember(who: Sender, raw: WireSocket): Member {
  return {
    ...who,
    send: (msg) => raw.send(msg),
    hold: () => raw.hold(),
    release: () => raw.release(),
    backlog: () => raw.bufferedAmount,
    close(code, reason) {
      try {
        raw.close(code, reason);
      } catch {
        // Already closing: nothing more to say to this client.
      }
      // A client that does not read never answers our close frame: cut it off.
      if (code === CLOSE.policy && raw.terminate) {
        setTimeout(() => raw.readyState !== 3 && raw.terminate!(), CLOSE_GRACE_MS);
      }
    },
  };
}
