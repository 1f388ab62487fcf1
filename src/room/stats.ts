// Counters the rooms keep for the server (exposed by --metrics later); plain numbers.

export interface RoomStats {
  /** Client messages dropped, by reason ("not a JSON object" …). */
  dropped: Map<string, number>;
  /** Clients closed for not keeping up with the room's output. */
  slowClients: number;
  /** Clients closed for feeding a child that does not read. */
  inputOverflows: number;
}

export function createStats(): RoomStats {
  return { dropped: new Map(), slowClients: 0, inputOverflows: 0 };
}
