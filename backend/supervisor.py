"""The process supervisor of ``fsc dev``: runs the web server, the worker and the warehouse
simulator, and starts again any of them that exits, so that one crash (or a database restart that
a child did not survive) does not leave nothing listening. Ctrl+C or SIGTERM stops them all."""

from __future__ import annotations

import logging
import signal
import subprocess
import time
from collections.abc import Callable

log = logging.getLogger("fsc.dev")

MAX_RESTART_DELAY_S = 30
"""Longest wait before a crashed child is started again (1 s, 2 s, 4 s … up to this)."""

STABLE_AFTER_S = 60
"""A child that ran this long before it exited counts as a first crash again (back to 1 s)."""

POLL_S = 0.3


class Child:
    """One supervised process: its command, the running process (None while waiting to restart)."""

    def __init__(self, name: str, command: list[str], env: dict[str, str]) -> None:
        self.name = name
        self.command = command
        self.env = env
        self.process: subprocess.Popen | None = None
        self.started_at = 0.0
        self.crashes = 0  # in a row, each within STABLE_AFTER_S of its start
        self.restart_at = 0.0

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, env=self.env)
        self.started_at = time.monotonic()

    def check(self, now: float) -> None:
        """Notice an exit (and plan the restart), or start again when the wait is over."""
        if self.process is None:
            if now >= self.restart_at:
                self.start()
                log.warning("%s started again", self.name)
            return
        code = self.process.poll()
        if code is None:
            return
        self.crashes = 1 if now - self.started_at >= STABLE_AFTER_S else self.crashes + 1
        delay = min(MAX_RESTART_DELAY_S, 2 ** (self.crashes - 1))
        log.warning("%s exited with code %s; starting it again in %d s", self.name, code, delay)
        self.process = None
        self.restart_at = now + delay

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def wait(self) -> None:
        if self.process is None:
            return
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def supervise(commands: dict[str, list[str]], env: dict[str, str], *,
              on_started: Callable[[], None] | None = None) -> None:
    """Start every command and keep them running until Ctrl+C (SIGINT) or SIGTERM; then stop all."""
    stopping = False

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    children = [Child(name, command, env) for name, command in commands.items()]
    try:
        for child in children:
            child.start()
        if on_started is not None:
            on_started()
        while not stopping:
            now = time.monotonic()
            for child in children:
                if not stopping:  # a Ctrl+C also reaches the children: that exit is no crash
                    child.check(now)
            time.sleep(POLL_S)
    finally:
        for child in children:
            child.stop()
        for child in children:
            child.wait()
