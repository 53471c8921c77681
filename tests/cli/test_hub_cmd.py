"""``hubfork hub init`` and ``hubfork hub serve`` given an address olah cannot serve on (a host that,
written into olah.toml as text, would add settings of its own; a port past 65535, which no socket
takes): one line naming it, exit 1, nothing created or written."""

from __future__ import annotations

from tests.conftest import run_cli


def test_init_refuses_a_host_that_would_add_settings(tmp_path):
    hub = tmp_path / "hub"
    result = run_cli("hub", "init", str(hub), "--host", '127.0.0.1"\nrepos-path = "/etc')
    assert result.returncode == 1
    assert result.stderr == (f"hubfork: error: {hub}: host '127.0.0.1\"\\nrepos-path = \"/etc' is not a host name or "
                             "an IP address (e.g. 127.0.0.1, ::1, localhost)\n")
    assert not hub.exists()


def test_init_refuses_a_port_out_of_range(tmp_path):
    hub = tmp_path / "hub"
    result = run_cli("hub", "init", str(hub), "--port", "99999")
    assert (result.returncode, result.stderr) == (1, f"hubfork: error: {hub}: port 99999 is not a TCP port (1-65535)\n")
    assert not hub.exists()


def test_serve_refuses_a_port_out_of_range_without_a_traceback(tmp_path):
    hub = tmp_path / "hub"
    assert run_cli("hub", "init", str(hub)).returncode == 0
    config = (hub / "olah.toml").read_bytes()
    result = run_cli("hub", "serve", str(hub), "--port", "99999", "--timeout", "5")
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (f"hubfork: error: {hub}: port 99999 is not a TCP port (0-65535; 0 picks "
                                              "a free one)")
    assert "Traceback" not in result.stderr
    assert (hub / "olah.toml").read_bytes() == config and not (hub / "logs").exists()
