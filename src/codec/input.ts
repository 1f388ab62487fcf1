// What reaches the child's stdin: client messages, joins and leaves, framed as configured.
import type { Config } from "../config.ts";
import { encodeFrame, GW } from "./gwsocket.ts";
import { withFrom, withIdentity } from "./json.ts";
import { inputBytes } from "./split.ts";
import { expand } from "./template.ts";

/** Who a client is, as far as the child may learn it. */
export interface Sender {
  readonly id: number;
  /** The client's IP address. */
  readonly remote: string;
  /** Raw query string of its request, without "?". */
  readonly query: string;
  /** The verified user (authentication), and what travels with it; absent or null: none. */
  readonly user?: string | null;
  readonly info?: Record<string, unknown> | null;
}

export type Encoded = { bytes: Uint8Array } | { drop: string };

export interface Input {
  /** The bytes for one client message, or why it is dropped (the client stays). */
  message(from: Sender, data: string | Uint8Array): Encoded;
  /** The bytes announcing a join or a leave, if anything is announced. */
  join(who: Sender): Uint8Array | null;
  leave(who: Sender): Uint8Array | null;
}

const encoder = new TextEncoder();
const strict = new TextDecoder("utf-8", { fatal: true });

export function createInput(config: Config, room: string): Input {
  const { split } = config;
  if (config.frame.client === "gwsocket") {
    return {
      message: (from, data) => ({
        bytes: typeof data === "string"
          ? encodeFrame(from.id, GW.text, encoder.encode(data))
          : encodeFrame(from.id, GW.binary, data),
      }),
      join: (who) => encodeFrame(who.id, GW.open, encoder.encode(who.remote)),
      leave: (who) => encodeFrame(who.id, GW.close, new Uint8Array(0)),
    };
  }
  const json = config.frame.client === "json";
  // In --json mode a join or leave object also says who the verified user is.
  const announce = (tpl: string | null, who: Sender) => {
    if (tpl === null) return null;
    const text = expand(tpl, { ...who, room });
    return inputBytes(split, json ? withIdentity(text, who.user, who.info) : text);
  };
  return {
    message(from, data) {
      if (!json) return { bytes: inputBytes(split, data) };
      let text: string;
      try {
        text = typeof data === "string" ? data : strict.decode(data);
      } catch {
        return { drop: "not UTF-8" };
      }
      const framed = withFrom(text, from.id);
      if (framed === null) return { drop: "not a JSON object" };
      // Raw CR/LF can only be whitespace in valid JSON: dropped at the ends and flattened
      // inside, so one message stays one line for the child.
      const line = framed.replace(/^[\r\n]+|[\r\n]+$/g, "").replace(/[\r\n]+/g, " ");
      return { bytes: inputBytes(split, line) };
    },
    join: (who) => announce(config.joinMsg, who),
    leave: (who) => announce(config.leaveMsg, who),
  };
}
