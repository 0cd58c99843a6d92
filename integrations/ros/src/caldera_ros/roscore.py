"""A private ROS 1 master for tests, examples and benchmarks: ``roscore`` on loopback, own ROS_HOME, free port.

core = RosCore(tmpdir); core.start()     # waits until /rosout is up
subprocess.run([...], env=core.env)      # ROS_MASTER_URI, ROS_IP=127.0.0.1, ROS_HOME set
core.restart(); core.stop()
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import xmlrpc.client


def ros_available() -> str | None:
    """None if roscore and rospy are usable, else why not."""
    if shutil.which("roscore") is None:
        return "roscore not installed (apt-get install ros-core)"
    try:
        import rospy  # noqa: F401
    except ImportError:
        return "rospy not importable from this Python (run `nox -s ros`)"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RosCore:
    """``roscore -p PORT`` in its own process group; ``env`` is what ROS processes of the test need."""

    def __init__(self, home: str) -> None:
        self.port = free_port()
        self.home = home
        self.env = {
            **os.environ,
            "ROS_MASTER_URI": f"http://127.0.0.1:{self.port}",
            "ROS_IP": "127.0.0.1",
            "ROS_HOME": home,
            "ROS_LOG_DIR": os.path.join(home, "log"),
            "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("ROS_HOSTNAME", None)
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        log = open(os.path.join(self.home, f"roscore-{time.monotonic_ns()}.log"), "wb")
        self.proc = subprocess.Popen(
            ["roscore", "-p", str(self.port)],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        master = xmlrpc.client.ServerProxy(self.env["ROS_MASTER_URI"])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"roscore exited with {self.proc.returncode}; see {log.name}")
            try:
                code, _, state = master.getSystemState("/test")
                # ready once rosout has registered
                if code == 1 and any(t == "/rosout" for t, _ in state[1]):
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"roscore did not come up within {timeout} s")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGINT)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def restart(self) -> None:
        self.stop()
        self.start()


__all__ = ["RosCore", "free_port", "ros_available"]
