"""Partitions in parallel OS processes, connected by shared-memory CSP channels.

The parent process compiles the whole network, replaces every message queue
that crosses partitions by a channel, then forks one child per partition
beyond the first; the first partition runs in the parent, on the calling
thread. A run sends ``("run", n, epoch, profile)`` to every child and steps the local
partition at the same time; the partitions synchronise only through their
channels, so the result does not depend on the partitioning.

Faults: a failing model sets the shared *abort* event and reports its
error; every channel wait polls that event, so all partitions stop within
``channels.POLL_S``. A supervisor thread in the parent notices children that
die (e.g. SIGKILL) and aborts the run. Ctrl-C in the parent aborts and tears
down the children. ``close()`` joins or kills every child and unlinks every
shared-memory segment, so repeated build/run/stop cycles leak nothing.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import threading
import time
import traceback
import typing as ty

from caldera.channels import (
    POLL_S,
    ChannelReceiver,
    ChannelSender,
    PartitionAborted,
    ShmChannel,
    WaitBoard,
    new_abort_event,
    set_parent,
)
from caldera.compiler import CompiledNetwork, Partition
from caldera.errors import RunError, RuntimeStateError
from caldera.model import write_model_var
from caldera.watchdog import watchdog

_CTX = mp.get_context("fork")
#: the longest wait for a child that was sent SIGKILL to be gone. It cannot refuse the signal, so the wait
#: ends as soon as the kernel has torn it down: milliseconds, but seconds for a large process on a machine
#: whose cores are all busy; a child that is not waited for would still count as alive afterwards.
REAP_S = 60.0


def _error_payload(exc: BaseException) -> dict:
    return {
        "message": str(exc),
        "process": getattr(exc, "process", None),
        "step": getattr(exc, "step", None),
        "phase": getattr(exc, "phase", None),
        "type": type(exc).__name__,
        "traceback": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)),
    }


def _child_main(
    conn: ty.Any,
    part: Partition,
    net: CompiledNetwork,
    abort: ty.Any,
    counter: ty.Any,
    watchdog_s: float | None,
    board: WaitBoard,
    parent_pid: int,
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when children stop
    set_parent(parent_pid)
    code = 0
    try:
        executor = part.backend.make_executor(part.plan)
        executor.time_step = net.start_time_step
        executor.step_counter, executor.counter_index = counter, part.index
        models = net.models
        while True:
            cmd = conn.recv()
            op = cmd[0]
            if op == "run":
                board.begin(part.index, cmd[2])
                try:
                    if cmd[3]:  # profiled (caldera.profiler): the recording goes back with "done"
                        from caldera.profiler import record_partition

                        with record_partition(executor, part.index, part.backend.name, cmd[1]) as rec:
                            with watchdog(watchdog_s, lambda: executor.time_step):
                                executor.run_steps(cmd[1])
                        board.finish(part.index)
                        conn.send(("done", executor.time_step, rec.result()))
                        continue
                    with watchdog(watchdog_s, lambda: executor.time_step):
                        executor.run_steps(cmd[1])
                    board.finish(part.index)
                    conn.send(("done", executor.time_step))
                except PartitionAborted:
                    conn.send(("aborted", executor.time_step))
                except BaseException as e:  # noqa: BLE001 - reported to the parent
                    abort.set()
                    conn.send(("error", _error_payload(e)))
            elif op == "get":
                _, pid, name = cmd
                try:
                    conn.send(("value", getattr(models[pid], name)))
                except BaseException as e:  # noqa: BLE001
                    conn.send(("error", _error_payload(e)))
            elif op == "set":
                _, pid, name, value = cmd
                try:
                    write_model_var(models[pid], name, value)
                    conn.send(("ok",))
                except BaseException as e:  # noqa: BLE001
                    conn.send(("error", _error_payload(e)))
            elif op == "stop":
                conn.send(("bye",))
                break
    except (EOFError, KeyboardInterrupt, BrokenPipeError):
        code = 1
    finally:
        os._exit(code)


class _Child:
    def __init__(self, part: Partition, proc: ty.Any, conn: ty.Any) -> None:
        self.part = part
        self.proc = proc
        self.conn = conn
        self.dead_reason: str | None = None

    def alive(self) -> bool:
        return self.proc.is_alive()


class PartitionGroup:
    """Runs partitions 1..k-1 in child processes and partition 0 locally."""

    def __init__(self, net: CompiledNetwork) -> None:
        self.net = net
        self.abort = new_abort_event()
        self.channels: list[ShmChannel] = []
        self.children: list[_Child] = []
        self._closed = False
        self._supervisor: threading.Thread | None = None
        self._stop_supervisor = threading.Event()
        #: children told to run whose reply has not been read yet (an interrupted run leaves some)
        self._awaiting: set[int] = set()
        try:
            self._start(net)
        except BaseException:
            self.abort.set()
            self.close()
            raise

    def _start(self, net: CompiledNetwork) -> None:
        where = {pid: part.index for part in net.partitions for pid in part.ids}
        self.where = where
        # replace every queue that crosses partitions by a shared-memory channel
        for link in net.links:
            if where[link.src] == where[link.dst]:
                continue
            out = getattr(net.models[link.src], link.src_port)
            ch = ShmChannel(
                out.shape, out.dtype, self.abort, name=link.label(net.models), src=where[link.src], dst=where[link.dst]
            )
            self.channels.append(ch)
            link.replace(net.models, ChannelSender(ch), ChannelReceiver(ch))
        self.board = WaitBoard(
            len(net.partitions),
            self.channels,
            tracked=[not part.plan.async_models for part in net.partitions],
        )
        self.counter = self.board.step  # the last step each partition completed (its executor writes it)
        local = net.partitions[0]
        self.local = local.backend.make_executor(local.plan)
        self.local.time_step = net.start_time_step
        self.local.step_counter, self.local.counter_index = self.counter, 0
        for part in net.partitions[1:]:
            parent_conn, child_conn = _CTX.Pipe()
            p = _CTX.Process(
                target=_child_main,
                name=f"caldera-partition-{part.index}",
                args=(
                    child_conn,
                    part,
                    net,
                    self.abort,
                    self.counter,
                    net.run_cfg.watchdog_s,
                    self.board,
                    os.getpid(),
                ),
                daemon=True,
            )
            try:
                p.start()
            finally:
                child_conn.close()
            self.children.append(_Child(part, p, parent_conn))
        self.profile = False  # set by caldera.profiler around a profiled run
        self.profiles: list[dict] = []  # the child partitions' recordings of that run
        self._supervisor = threading.Thread(target=self._supervise, name="caldera-supervisor", daemon=True)
        self._supervisor.start()

    # -- supervision ------------------------------------------------------------------------
    def _supervise(self) -> None:
        while not self._stop_supervisor.wait(POLL_S):
            for c in self.children:
                if c.dead_reason is None and not c.alive():
                    code = c.proc.exitcode
                    c.dead_reason = f"partition {c.part.index} (pid {c.proc.pid}) died" + (
                        f" from signal {-code}" if code is not None and code < 0 else f" with exit code {code}"
                    )
                    self.abort.set()

    @property
    def time_step(self) -> int:
        return self.local.time_step

    # -- running ----------------------------------------------------------------------------
    def run_steps(self, n: int) -> None:
        try:
            self._run_steps(n)
        except KeyboardInterrupt:
            self.abort.set()  # wherever Ctrl-C struck, the children stop within POLL_S
            raise

    def _run_steps(self, n: int) -> None:
        if self.abort.is_set():
            raise RuntimeStateError("a partition failed earlier; build the network again")
        self._drain()
        epoch = self.board.new_epoch()
        for c in self.children:
            if c.dead_reason is None and not c.alive():
                code = c.proc.exitcode
                c.dead_reason = f"partition {c.part.index} (pid {c.proc.pid}) died" + (
                    f" from signal {-code}" if code is not None and code < 0 else f" with exit code {code}"
                )
            if c.dead_reason:
                self.abort.set()
                raise RunError(f"{c.dead_reason}; the network cannot run")
            try:
                self._awaiting.add(c.part.index)
                c.conn.send(("run", n, epoch, self.profile))
            except (BrokenPipeError, OSError) as e:
                self.abort.set()
                c.dead_reason = (
                    c.dead_reason or f"partition {c.part.index} (pid {c.proc.pid}) died (its pipe is closed: {e})"
                )
                raise RunError(f"{c.dead_reason}; the network cannot run") from e
        local_error: BaseException | None = None
        self.board.begin(0, epoch)
        try:
            with watchdog(self.net.run_cfg.watchdog_s, lambda: self.local.time_step):
                self.local.run_steps(n)
            self.board.finish(0)
        except PartitionAborted as e:
            local_error = e
        except BaseException as e:  # noqa: BLE001 - the first real error wins
            self.abort.set()
            local_error = e
        replies = self._collect(interrupting=isinstance(local_error, KeyboardInterrupt))
        if local_error is not None and not isinstance(local_error, PartitionAborted):
            raise local_error
        for c, r in replies:
            if r[0] == "error":
                p = r[1]
                raise RunError(
                    f"partition {c.part.index} (pid {c.proc.pid}): {p['message']}",
                    process=p["process"],
                    step=p["step"],
                    phase=p["phase"],
                )
        self.profiles = [r[2] for _, r in replies if r[0] == "done" and len(r) > 2]
        for c, r in replies:
            if r[0] == "dead":
                raise RunError(f"{c.dead_reason}; the run was stopped")
        if local_error is not None:  # aborted without a reported cause
            raise RunError("the run was aborted by another partition")

    def _collect(self, interrupting: bool = False, grace: float = 1.0) -> list[tuple[_Child, tuple]]:
        out: list[tuple[_Child, tuple]] = []
        deadline_after_abort: float | None = None
        watchdog_s = self.net.run_cfg.watchdog_s
        for c in self.children:
            last_step, last_change = -1, time.monotonic()
            while True:
                try:
                    if c.conn.poll(POLL_S):
                        out.append((c, c.conn.recv()))
                        self._awaiting.discard(c.part.index)
                        break
                except (EOFError, OSError):
                    c.dead_reason = c.dead_reason or f"partition {c.part.index} (pid {c.proc.pid}) closed its pipe"
                    out.append((c, ("dead",)))
                    break
                except KeyboardInterrupt:
                    self.abort.set()
                    interrupting = True
                    continue
                if c.dead_reason is not None or not c.alive():
                    c.dead_reason = c.dead_reason or f"partition {c.part.index} (pid {c.proc.pid}) died"
                    self.abort.set()
                    out.append((c, ("dead",)))
                    break
                now = time.monotonic()
                if self.abort.is_set():
                    deadline_after_abort = deadline_after_abort or now + grace
                    if now > deadline_after_abort:
                        self._kill(c, "did not stop within 1 s after the run was aborted")
                        out.append((c, ("dead",)))
                        break
                if watchdog_s is not None:
                    step = self.counter[c.part.index]
                    if step != last_step:
                        last_step, last_change = step, now
                    elif now - last_change > watchdog_s + 2.0:
                        self.abort.set()
                        self._kill(c, f"made no progress for {watchdog_s} s (watchdog) at step {step + 1}")
                        out.append((c, ("dead",)))
                        break
        if interrupting:
            raise KeyboardInterrupt
        return out

    def _drain(self, grace: float = 10.0) -> None:
        """Read the replies an interrupted run left in the pipes, so that each request gets its own answer.

        The run was aborted, so every child finishes its step and replies within
        ``POLL_S``; one that does not within ``grace`` seconds is killed (its state is lost).
        """
        for c in self.children:
            if c.part.index not in self._awaiting:
                continue
            self.abort.set()  # a run whose replies were never read was interrupted: end it
            deadline = time.monotonic() + grace
            try:
                while not c.conn.poll(POLL_S):
                    if not c.alive():
                        raise EOFError
                    if time.monotonic() > deadline:
                        self._kill(c, f"did not stop within {grace:g} s after the run was interrupted")
                        break
                else:
                    c.conn.recv()
            except (EOFError, OSError):
                c.dead_reason = c.dead_reason or f"partition {c.part.index} (pid {c.proc.pid}) died"
            self._awaiting.discard(c.part.index)

    def _kill(self, c: _Child, why: str) -> None:
        c.dead_reason = f"partition {c.part.index} (pid {c.proc.pid}) {why}"
        if c.alive():
            c.proc.kill()
        c.proc.join(REAP_S)

    # -- state ------------------------------------------------------------------------------
    def _request(self, c: _Child, msg: tuple) -> tuple:
        self._drain()
        if c.dead_reason is not None or not c.alive():
            raise RuntimeStateError(f"the state of partition {c.part.index} is lost: {c.dead_reason or 'it died'}")
        c.conn.send(msg)
        while not c.conn.poll(POLL_S):
            if not c.alive():
                raise RuntimeStateError(f"partition {c.part.index} died while answering")
        r = c.conn.recv()
        if r[0] == "error":
            raise RunError(r[1]["message"])
        return r

    def child_of(self, pid: int) -> _Child | None:
        k = self.where[pid]
        return None if k == 0 else self.children[k - 1]

    def get(self, pid: int, name: str) -> ty.Any:
        c = self.child_of(pid)
        if c is None:
            return getattr(self.net.models[pid], name)
        return self._request(c, ("get", pid, name))[1]

    def set(self, pid: int, name: str, value: ty.Any) -> None:
        c = self.child_of(pid)
        if c is None:
            write_model_var(self.net.models[pid], name, value)
        else:
            self._request(c, ("set", pid, name, value))

    # -- teardown ---------------------------------------------------------------------------
    def close(self) -> None:
        """Stop every child (asking first, killing if it does not go) and unlink every channel.

        Safe to call again after an interruption: each child and channel leaves the
        lists only once it is released.
        """
        self._closed = True
        self._stop_supervisor.set()
        if self._supervisor is not None and self._supervisor is not threading.current_thread():
            self._supervisor.join()
        if self._awaiting:
            self.abort.set()  # an interrupted run: the children stop it instead of finishing it
        while self.children:
            c = self.children[0]
            try:
                if c.proc.is_alive():
                    c.conn.send(("stop",))
                    deadline = time.monotonic() + 1.0
                    while time.monotonic() < deadline and c.conn.poll(max(0.0, deadline - time.monotonic())):
                        if c.conn.recv()[0] == "bye":  # earlier replies of an interrupted run come first
                            break
            except (OSError, EOFError, ValueError):
                pass
            try:
                c.proc.join(1.0)
                if c.proc.is_alive():
                    c.proc.kill()
                    c.proc.join(REAP_S)
                c.conn.close()
                c.proc.close()
            except ValueError:  # closed already by an interrupted close()
                pass
            self.children.pop(0)
        self._awaiting.clear()
        while self.channels:
            self.channels[-1].close(unlink=True)
            self.channels.pop()


__all__ = ["PartitionGroup"]
