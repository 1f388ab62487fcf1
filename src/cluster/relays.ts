// The links of this node, both ways: the ones it dials to relay its clients to the owners of
// their rooms (one per room and owner), and the ones other nodes dial to it for rooms it owns.
import type { Logger } from "../log.ts";
import type { AdmitRequest, Refusal, Ticket } from "../room/door.ts";
import type { Forwarding } from "./forward.ts";
import { headerLookup, signedHeaders } from "./forward.ts";
import type { Lease } from "./lease.ts";
import { Link } from "./link.ts";
import { OwnerLink } from "./owner-link.ts";
import { Relayed, type Shut } from "./relay.ts";
import { LINK_HEADER, MAX_AGE_MS, signForwarded, verifyForwarded } from "./sign.ts";

export interface RelaysDeps {
  log: Logger;
  forwarding: Forwarding;
  /** Largest message a node takes (--maxframesize) and backlog a client may build. */
  maxPayload: number;
  maxBuffer: number;
  tls: boolean;
}

export class Relays {
  /** Links this node dialled, by owner and room. */
  private readonly links = new Map<string, Link>();
  /** Relayed clients' sockets that are open, each with what closes it. */
  private readonly open = new Set<Shut>();
  private waiters: (() => void)[] = [];

  constructor(private readonly d: RelaysDeps) {}

  /** Relayed clients with an open socket. */
  get size(): number {
    return this.open.size;
  }

  /** Asks the room's owner to take req in, over the room's link; its answer or a ticket. */
  async relay(req: AdmitRequest, room: string, lease: Lease): Promise<Ticket | Refusal | string> {
    const url = new URL(req.url);
    const fields = await signedHeaders(this.d.forwarding, req);
    const link = await this.linkTo(room, url.pathname, lease);
    const relayed = new Relayed({
      maxBuffer: this.d.maxBuffer,
      opened: (shut) => this.open.add(shut),
      closed: (shut) => {
        this.open.delete(shut);
        if (this.open.size === 0) { for (const wake of this.waiters.splice(0)) wake(); }
      },
    });
    const answer = await link.join(fields, relayed);
    if (answer.kind === "refused") return answer.refusal;
    if (answer.kind === "failed") return answer.reason;
    this.d.log.debug("relaying to the room's owner", { room, node: lease.node });
    return relayed.ticket(room, link, answer.ch);
  }

  private async linkTo(room: string, path: string, lease: Lease): Promise<Link> {
    const key = `${lease.advertise} ${room}`;
    const known = this.links.get(key);
    if (known) return known;
    // The link's own fields name this node; its clients' come with each of them.
    const headers = await signForwarded(
      this.d.forwarding.key,
      {
        address: "",
        port: 0,
        url: path,
        headers: [],
        identity: null,
        node: this.d.forwarding.nodeId,
      },
      Date.now(),
      "link",
    );
    // Another client of the room may have dialled it meanwhile.
    const raced = this.links.get(key);
    if (raced) return raced;
    const opts = { tls: this.d.tls, maxPayload: this.d.maxPayload };
    const link: Link = new Link(lease.advertise, path, headers, opts, () => {
      if (this.links.get(key) === link) this.links.delete(key);
    });
    this.links.set(key, link);
    return link;
  }

  /** Settles when no relayed client is left, or after ms. */
  async drained(ms: number): Promise<void> {
    if (this.open.size === 0) return;
    await new Promise<void>((resolve) => {
      this.waiters.push(resolve);
      setTimeout(resolve, ms);
    });
  }

  /** Closes every relayed client, and tells their owners. */
  closeAll(code: number, reason: string): void {
    for (const shut of [...this.open]) shut(code, reason);
  }
}

/**
 * The ticket for a link another node dials to this one, or null when req is not one: each
 * client it carries is admitted by admit, which takes only a signed relayed client.
 */
export function acceptLink(
  req: AdmitRequest,
  forwarding: Forwarding,
  admit: (req: AdmitRequest) => Promise<Ticket | Refusal>,
): Promise<Ticket | Refusal> | null {
  const header = headerLookup(req);
  if (header.get(LINK_HEADER) === null) return null;
  return verifyForwarded(forwarding.key, header, Date.now(), MAX_AGE_MS, "link").then(
    (verdict): Ticket | Refusal => {
      if (!verdict.ok) {
        return { status: 403, reason: "forged_link", text: "Cluster link refused" };
      }
      return {
        room: `link from ${verdict.forwarded.node}`,
        cancel: () => {},
        open: (socket) =>
          new OwnerLink(socket, (headers) => admit({ ...req, headers })).membership(),
      };
    },
  );
}
