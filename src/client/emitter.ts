// The client's events: typed listeners, each call guarded so one bad listener harms no other.

export type Listener<T> = (value: T) => void;

export class Emitter<Events> {
  #listeners = new Map<keyof Events, Set<Listener<never>>>();

  /** Adds a listener; the function returned removes it. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, set = new Set());
    set.add(listener as Listener<never>);
    return () => this.off(event, listener);
  }

  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    this.#listeners.get(event)?.delete(listener as Listener<never>);
  }

  emit<K extends keyof Events>(event: K, value: Events[K]): void {
    for (const listener of [...this.#listeners.get(event) ?? []]) {
      try {
        (listener as Listener<Events[K]>)(value);
      } catch (e) {
        // One bad listener must not stop the others or leave the client half-updated; the
        // error still surfaces as an uncaught one, like an EventTarget listener's.
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }
}
