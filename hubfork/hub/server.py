"""Running olah, the local hub's server, as a child process."""

from __future__ import annotations

import http.client
import importlib.util
import os
import socket
import subprocess
import time
from pathlib import Path

from hubfork._lifeline import command as lifeline_command
from hubfork.errors import HubServerError


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def port_is_free(host: str, port: int) -> bool:
    """True when nothing listens on (`host`, `port`)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


class HubServer:
    """An olah process serving a local hub folder; stop it with `stop` (or use
    `LocalHub.serve` as a context manager)."""

    def __init__(self, root: Path, host: str, port: int, process: subprocess.Popen, log: Path):
        self.root = root
        self.host = host
        self.port = port
        self.process = process
        self.log = log

    @property
    def endpoint(self) -> str:
        """What to export as ``HF_ENDPOINT``."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else ("[::1]" if self.host == "::" else self.host)
        return f"http://{host}:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def running(self) -> bool:
        return self.process.poll() is None

    def answers(self) -> bool:
        """True when the server answers HTTP (any status)."""
        host = self.endpoint.split("://", 1)[1].rsplit(":", 1)[0].strip("[]")
        connection = http.client.HTTPConnection(host, self.port, timeout=2)
        try:
            connection.request("GET", "/api/models/hubfork/ready-probe/revision/main")
            connection.getresponse().read()
            return True
        except OSError:
            return False
        finally:
            connection.close()

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Block until the server answers; raise `HubServerError` if it exits or takes too long."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running():
                raise HubServerError(f"olah exited with status {self.process.returncode} before answering"
                                     f"{self._log_tail()}", path=str(self.root), log=str(self.log),
                                     endpoint=self.endpoint)
            if self.answers():
                return
            time.sleep(0.1)
        self.stop()
        raise HubServerError(f"olah did not answer at {self.endpoint} within {timeout:.0f} s{self._log_tail()}",
                             path=str(self.root), log=str(self.log), endpoint=self.endpoint)

    def wait(self) -> int:
        """Block until the server exits; its exit status."""
        return self.process.wait()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server (SIGTERM, then SIGKILL after `timeout` seconds)."""
        if self.running():
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def _log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
        except OSError:
            return ""
        return ("; last lines of its log:\n" + "\n".join(text)) if text else ""

    def __repr__(self) -> str:
        return f"HubServer({str(self.root)!r}, endpoint={self.endpoint!r}, pid={self.pid})"


def start_olah(root: Path, config: Path, host: str, port: int, *, timeout: float = 60.0) -> HubServer:
    """Start ``python -m olah.server -c CONFIG`` in `root` (its logs stay there) and wait until it answers;
    olah ends when this process does, however it ends.

    Raises:
        HubServerError: olah is not installed, the port is taken, or olah exits or does not answer in time.
    """
    if importlib.util.find_spec("olah") is None:
        raise HubServerError("olah is not installed (pip install olah): the local hub is served by it",
                             path=str(root))
    if not port_is_free(host, port):
        raise HubServerError(f"port {port} on {host} is in use; choose another (--port)", path=str(root))
    logs = root / "logs"
    logs.mkdir(exist_ok=True)
    log = logs / "serve.log"
    with log.open("ab") as out:
        # A session of its own: the parent decides when it stops (Ctrl-C reaches the parent, which stops it).
        # A parent killed with SIGKILL stops nothing: olah then ends itself (see hubfork._lifeline),
        # as long as the thread that started it lives (the one that stops it: `LocalHub.serve`, `hub serve`).
        process = subprocess.Popen(lifeline_command("olah.server", "-c", str(config.relative_to(root))),
                                   cwd=root, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    server = HubServer(root, host, port, process, log)
    try:
        server.wait_ready(timeout)
    except BaseException:
        server.stop()
        raise
    return server


__all__ = ["HubServer", "start_olah", "free_port", "port_is_free"]
