"""`fsc dev` (a real process with its three children) starts again a child that died, says so on
the console, and leaves the others running; Ctrl+C stops them all."""

from __future__ import annotations

import signal
import subprocess
import sys
import urllib.request

import psutil

from tests.e2e.conftest import app_env, free_port, wait_until_ready
from tests.e2e.outage_stack import wait_until


def children(dev: subprocess.Popen) -> dict[str, psutil.Process]:
    """The supervised children by their `fsc` command (serve, worker, warehouse-sim)."""
    found = {}
    for child in psutil.Process(dev.pid).children():
        try:
            command = child.cmdline()
        except psutil.NoSuchProcess:
            continue
        if len(command) > 3 and command[1:3] == ["-m", "backend.cli"]:
            found[command[3]] = child
    return found


async def test_fsc_dev_restarts_a_crashed_child_and_ctrl_c_stops_everything(db_url, tmp_path):
    port, sim_port, oidc_port = free_port(), free_port(), free_port()
    console = tmp_path / "console.log"
    env = app_env(db_url, FSC_PORT=str(port), FSC_WAREHOUSE_SIM_PORT=str(sim_port), FSC_DATA_DIR=str(tmp_path),
                  FSC_DEV_OIDC_PORT=str(oidc_port))
    with console.open("wb") as output:
        dev = subprocess.Popen([sys.executable, "-m", "backend.cli", "dev"], env=env, stdout=output,
                               stderr=subprocess.STDOUT)
    try:
        wait_until_ready(f"http://127.0.0.1:{port}", dev)
        await wait_until(lambda: len(children(dev)) == 3, 15, "three children")
        # Next to the demo login, a local OpenID provider for the MitID and staff logins.
        wait_until_ready(f"http://127.0.0.1:{oidc_port}", dev, path="/.well-known/openid-configuration")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login") as login_page:
            assert 'action="/login/oidc"' in login_page.read().decode()
        first = children(dev)
        first["worker"].send_signal(signal.SIGKILL)

        await wait_until(lambda: "worker started again" in console.read_text(), 15, "the worker started again")
        await wait_until(lambda: "worker" in children(dev), 5, "a new worker process")
        now = children(dev)
        assert now["worker"].pid != first["worker"].pid
        assert now["serve"].pid == first["serve"].pid and now["warehouse-sim"].pid == first["warehouse-sim"].pid
        assert "worker exited with code -9; starting it again in 1 s" in console.read_text()
        wait_until_ready(f"http://127.0.0.1:{port}", dev)  # the web server never stopped

        dev.send_signal(signal.SIGINT)  # Ctrl+C
        assert dev.wait(timeout=20) == 0
        assert not any(child.is_running() and child.status() != psutil.STATUS_ZOMBIE for child in now.values())
    finally:
        if dev.poll() is None:
            dev.kill()
            dev.wait()
