#!/usr/bin/env python3
"""A shell on a pseudo-terminal, for `scalesocket --binary`: one shared session per room.

What the browsers type arrives on stdin and goes to the terminal; what the terminal prints goes
to stdout, which scalesocket sends to every browser of the room. A real shell needs a terminal
(for its prompt, line editing, Ctrl-C, full-screen programs), which a pipe is not: hence the pty.
"""
import fcntl
import os
import pty
import select
import shutil
import signal
import struct
import sys
import termios

# Every browser shows the same screen, so the size is fixed; index.html uses the same one.
ROWS, COLS = 30, 100


def start_shell():
    """Forks bash (or sh) on a new pty; returns its pid and the pty's master side."""
    pid, master = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        shell = shutil.which("bash") or "/bin/sh"
        # scalesocket passes only PATH (--passenv); a terminal also wants these.
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.path.expanduser("~"),
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
            "SHELL": shell,
            "ROOM": os.environ.get("ROOM", ""),
        }
        os.execve(shell, [shell], env)
    return pid, master


def write_all(fd, data):
    while data:
        data = data[os.write(fd, data):]


def relay(master):
    """Copies stdin to the pty and the pty to stdout until either side ends."""
    stdin, stdout = sys.stdin.fileno(), sys.stdout.fileno()
    while True:
        ready, _, _ = select.select([stdin, master], [], [])
        if master in ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the shell exited and the pty is gone
                data = b""
            if not data:
                return
            write_all(stdout, data)
        if stdin in ready:
            data = os.read(stdin, 65536)
            if not data:  # the last browser left: scalesocket closed stdin
                return
            write_all(master, data)


def main():
    pid, master = start_shell()
    try:
        relay(master)
    except KeyboardInterrupt:  # scalesocket's SIGINT, when stopping the room
        pass
    finally:
        os.close(master)
        # The shell leads its own session, so scalesocket's signals to our process group miss
        # it: hang it up ourselves, as a terminal closing would.
        try:
            os.kill(pid, signal.SIGHUP)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


if __name__ == "__main__":
    main()
