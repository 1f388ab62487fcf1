// Messages the application sends while the client is reconnecting, bounded.

/** What the application may send: what WebSocket.send takes, minus Blob's slow paths. */
export type Outgoing = string | ArrayBufferLike | ArrayBufferView | Blob;

/**
 * First in, first out, at most `limit` messages. Past the limit a new message is refused (push
 * returns false) rather than dropping an older one: the application learns at once which
 * message did not go, and the ones before it keep their order.
 */
export class SendQueue {
  #items: Outgoing[] = [];

  constructor(readonly limit: number) {}

  get size(): number {
    return this.#items.length;
  }

  push(data: Outgoing): boolean {
    if (this.#items.length >= this.limit) return false;
    this.#items.push(data);
    return true;
  }

  /** Empties the queue, handing back what it held in order. */
  drain(): Outgoing[] {
    const items = this.#items;
    this.#items = [];
    return items;
  }
}
