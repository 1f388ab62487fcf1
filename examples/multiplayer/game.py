#!/usr/bin/env python3
"""A multiplayer game server with no network code, for `scalesocket --json`.

Each room runs one copy. Players are coloured dots on a WIDTH x HEIGHT board; the server owns
their positions, so every page draws the same board. It reads one JSON object per line:

  {"t":"Join","_from":ID} / {"t":"Leave","_from":ID}   written by scalesocket (--json)
  {"t":"Move","dx":-1|0|1,"dy":-1|0|1,"_from":ID}       an arrow key
  {"t":"Goto","x":X,"y":Y,"_from":ID}                   a click on the board

and prints one JSON object per line: with "_to" for one player (or a list of them), without it
for the whole room, and with "_meta": true for the lobby (scalesocket --api) instead of players.
"""
import json
import random
import sys

WIDTH, HEIGHT, STEP = 640, 400, 16
COLOURS = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#9a6324"]

players = {}  # id -> {"x", "y", "colour"}


def send(msg):
    print(json.dumps(msg, separators=(",", ":")), flush=True)


def clamp(value, high):
    return max(0, min(high, int(value)))


def unit(value):
    """-1, 0 or 1: an arrow key moves one STEP, whatever a client claims."""
    return max(-1, min(1, int(value)))


def join(who):
    players[who] = {
        "x": random.randrange(STEP, WIDTH - STEP),
        "y": random.randrange(STEP, HEIGHT - STEP),
        "colour": COLOURS[who % len(COLOURS)],
    }
    # The newcomer gets the whole board; the others only hear of the newcomer.
    send({"_to": who, "t": "Welcome", "you": who, "width": WIDTH, "height": HEIGHT,
          "players": players})
    others = [p for p in players if p != who]
    if others:
        send({"_to": others, "t": "Joined", "id": who, **players[who]})


def move(who, x, y):
    p = players[who]
    p["x"], p["y"] = clamp(x, WIDTH), clamp(y, HEIGHT)
    send({"t": "Moved", "id": who, "x": p["x"], "y": p["y"]})


def handle(msg):
    who, kind = msg.get("_from"), msg.get("t")
    if kind == "Join":
        join(who)
    elif kind == "Leave":
        players.pop(who, None)
        send({"t": "Left", "id": who})
    elif who in players and kind == "Move":
        p = players[who]
        move(who, p["x"] + STEP * unit(msg["dx"]), p["y"] + STEP * unit(msg["dy"]))
    elif who in players and kind == "Goto":
        move(who, msg["x"], msg["y"])
    if kind in ("Join", "Leave"):
        # Room metadata: scalesocket keeps the last one for /api/rooms and the lobby page.
        send({"_meta": True, "players": len(players)})


def main():
    for line in sys.stdin:
        try:
            handle(json.loads(line))
        except (ValueError, KeyError, TypeError) as e:
            # One bad message must not end the game for everyone in the room.
            print(f"ignored {line.strip()!r}: {e!r}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
