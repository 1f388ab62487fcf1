// A message made ready once, to be sent to every socket of a room.

export interface Outgoing {
  /** A text frame (true) or a binary one. */
  readonly text: boolean;
  /** The frame's payload: text is encoded to UTF-8 here, not once per client by the socket. */
  readonly data: Uint8Array;
}

const encoder = new TextEncoder();

export function prepare(msg: string | Uint8Array): Outgoing {
  return typeof msg === "string"
    ? { text: true, data: encoder.encode(msg) }
    : { text: false, data: msg };
}
