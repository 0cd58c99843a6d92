"""caldera-ros node: end-to-end latency and sustained input rate, 1,000 neurons at 1 kHz, cpu and cython.

A private roscore on loopback; the node under test runs in its own process (``caldera ros run SPEC``); a probe
process publishes ``std_msgs/Float32MultiArray`` messages of 1,000 values into it and reads what it answers.

Network: 1,000 LIF neurons (u = input, v decays by 0.1 per step, threshold 0.5) with sparse random recurrent
weights (10% density, +-0.02: they never make a neuron spike), input -> ``lif.a_in`` without hold, output
``argmax`` over one step -> ``std_msgs/Float32``, published on change, clock: wall, 1,000 steps/s.

* latency: a message with 10.0 at index k makes neuron k spike in the step that takes it in, and the node
  publishes k; latency = publish time of the pulse -> arrival of the answer k at the probe (both
  CLOCK_MONOTONIC on one machine); pulses every 10 ms after 20 unmeasured warm-up pulses, median and 99th
  percentile. The probe publishes without rospy's queue thread (the time taken is the socket write's).
* sustained rate: messages at R per second for a few seconds; the node's status says how many it received,
  how many its input queue dropped, and how many steps it made in that window (real-time factor).

Reference, measured side by side (systems interleaved run by run): a bare rospy relay (same topics, numpy
argmax of each message, no caldera) with the node's transport settings (numpy_msg subscriber, publisher
without queue, tcp_nodelay) gives ROS's own floor for the same round trip, and on a loaded machine its noise
floor: the table gives each run's p99 and the median difference to the relay's p99 of the same round.
``--chrt N`` runs node, relay and probe under SCHED_FIFO priority N (root or CAP_SYS_NICE) from outside
(``chrt -f``). ``--realtime N`` uses the node's own real-time mode instead (``caldera ros run --realtime N``:
SCHED_FIFO N from ``start()`` on, memory locked) and runs the relay under ``chrt -f N``; ``--probe-chrt N`` runs
only the probe under SCHED_FIFO, so that its own wake-ups stay out of the figures of either mode. Each run's
load average (1 min) is recorded; the table gives the median p99 and the worst run's p99 and drops.

    python benchmarks/ros_node.py [--runs 3] [--pulses 200] [--seconds 2] [--rates 500,1000,2000] [--chrt 10]
        [--realtime 10] [--modes normal,realtime] [--probe-chrt 10] [--json results.json]

Needs rospy and roscore (Debian's ros-core, python3-rospy, ...: see ``nox -s ros``); caldera-cython for the
cython rows (skipped when not installed).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

N = 1000


def build(path: str) -> None:
    import caldera
    from caldera.procs import LIF, Sparse
    from scipy import sparse

    rng = np.random.default_rng(0)
    lif = LIF(shape=(N,), du=1.0, dv=0.1, vth=0.5, name="lif")
    w = sparse.random(N, N, density=0.1, random_state=rng, format="csr")
    w.data = (w.data - 0.5) * 0.04
    rec = Sparse(weights=w, name="rec")
    lif.s_out.connect(rec.s_in)
    rec.a_out.connect(lif.a_in)
    caldera.save([lif, rec], path)


def spec(tmp: str, backend: str) -> str:
    import yaml

    path = os.path.join(tmp, f"bench_{backend}.yaml")
    with open(path, "w") as f:
        yaml.safe_dump(
            {
                "name": "bench",
                "network": "net.npz",
                "rate_hz": 1000,
                "backend": backend,
                "inputs": [{"topic": "/in", "type": "std_msgs/Float32MultiArray", "port": "lif.a_in", "hold": False}],
                "outputs": [
                    {
                        "topic": "/winner",
                        "type": "std_msgs/Float32",
                        "port": "lif.s_out",
                        "decoder": "argmax",
                        "options": {"window": 1},
                        "on_change": True,
                    }
                ],
            },
            f,
        )
    return path


# -- the reference: a bare rospy relay ------------------------------------------------------------------------
def echo() -> None:
    import rospy
    from rospy.numpy_msg import numpy_msg
    from std_msgs.msg import Float32, Float32MultiArray, String

    rospy.init_node("bench")
    # the node's own transport settings: arrays as NumPy (numpy_msg), publishing without rospy's queue thread
    with warnings.catch_warnings():  # rospy warns about a publisher without queue_size
        warnings.simplefilter("ignore")
        pub = rospy.Publisher("/winner", Float32, queue_size=None, tcp_nodelay=True)
    status = rospy.Publisher("/bench/status", String, queue_size=1, latch=True)
    count = [0]

    def cb(msg):
        count[0] += 1
        a = np.asarray(msg.data)
        if a.max() > 0.5:
            pub.publish(Float32(float(np.argmax(a))))
            pub.publish(Float32(-1.0))

    rospy.Subscriber("/in", numpy_msg(Float32MultiArray), cb, queue_size=10, tcp_nodelay=True)
    while not rospy.is_shutdown():
        status.publish(String(json.dumps({"received": count[0], "dropped": 0, "steps_per_s": None})))
        rospy.rostime.wallsleep(0.5)


# -- the probe --------------------------------------------------------------------------------------------------
def probe(cfg: dict) -> None:
    import rospy
    from std_msgs.msg import Float32, Float32MultiArray, String

    rospy.init_node("bench_probe", anonymous=True, disable_signals=True)
    answers: list[tuple[float, float]] = []
    status: list[dict] = []
    rospy.Subscriber("/winner", Float32, lambda m: answers.append((time.monotonic(), m.data)), queue_size=10000)
    rospy.Subscriber("/bench/status", String, lambda m: status.append(json.loads(m.data)), queue_size=100)
    with warnings.catch_warnings():  # no queue thread of rospy's between the time taken and the socket
        warnings.simplefilter("ignore")
        pub = rospy.Publisher("/in", Float32MultiArray, queue_size=None, tcp_nodelay=True)
    deadline = time.monotonic() + 60
    while (pub.get_num_connections() == 0 or not status) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    zeros = np.zeros(N, dtype=np.float32)
    out: dict = {}
    # latency: pulses every 10 ms
    sent: list[tuple[float, int]] = []
    warmup = 20  # pulses not counted: the first messages on new connections
    for i in range(-warmup, cfg["pulses"]):
        k = (i * 37) % N
        x = zeros.copy()
        x[k] = 10.0
        msg = Float32MultiArray(data=x.tolist())
        t = time.monotonic()
        pub.publish(msg)
        if i >= 0:
            sent.append((t, k))
        time.sleep(max(0.0, t + 0.01 - time.monotonic()))
    time.sleep(0.5)
    lat = []
    j = 0
    for t, k in sent:
        while j < len(answers) and answers[j][0] < t:
            j += 1
        hit = next((a for a in answers[j:] if a[1] == k), None)
        if hit is not None:
            lat.append(hit[0] - t)
    out["latency_ms"] = [1e3 * v for v in lat]
    out["answered"] = len(lat)
    # sustained rate
    body = Float32MultiArray(data=(zeros + 0.01).tolist())
    out["realtime"] = status[-1].get("realtime") if status else None
    out["rates"] = {}
    for rate in cfg["rates"]:
        time.sleep(1.2)
        before = status[-1]
        n = int(rate * cfg["seconds"])
        t0 = time.monotonic()
        for i in range(n):
            pub.publish(body)
            time.sleep(max(0.0, t0 + (i + 1) / rate - time.monotonic()))
        wall = time.monotonic() - t0
        time.sleep(1.2)
        after = status[-1]
        window = (after.get("uptime_s") or 0) - (before.get("uptime_s") or 0)
        steps = (after.get("step") or 0) - (before.get("step") or 0)
        out["rates"][str(rate)] = {
            "sent": n,
            "achieved_send_rate": round(n / wall, 1),
            "received": after["received"] - before["received"],
            "dropped": after["dropped"] - before["dropped"],
            # steps per second over this window, against 1,000 (the node's status, not the probe's clock)
            "real_time_factor": round(steps / (1000.0 * window), 4) if window > 0 and "step" in after else None,
            "late_steps": after.get("late_steps", 0) - before.get("late_steps", 0),
        }
    print(json.dumps(out), flush=True)


# -- driver -----------------------------------------------------------------------------------------------------
def one_run(core, tmp: str, system: str, cfg: dict) -> dict:
    env = {
        **core.env,
        "PYTHONPATH": os.pathsep.join(filter(None, [os.path.dirname(__file__), os.environ.get("PYTHONPATH")])),
    }
    rt = ["chrt", "-f", str(cfg["chrt"])] if cfg.get("chrt") else []
    if system == "rospy":
        cmd = [sys.executable, __file__, "--echo"]
        if cfg.get("realtime"):  # the bare relay's equivalent of the node's real-time mode
            rt = ["chrt", "-f", str(cfg["realtime"])]
    else:
        cmd = [sys.executable, "-m", "caldera.cli", "ros", "run", spec(tmp, system)]
        if cfg.get("realtime"):
            cmd += ["--realtime", str(cfg["realtime"])]
    cmd = rt + cmd
    prt = ["chrt", "-f", str(cfg.get("probe_chrt") or cfg["chrt"])] if cfg.get("probe_chrt") or cfg["chrt"] else []
    load0 = os.getloadavg()[0]
    node = subprocess.Popen(cmd, env=env, cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        res = subprocess.run(
            [*prt, sys.executable, __file__, "--probe", json.dumps(cfg)],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if res.returncode != 0:
            raise RuntimeError(f"probe failed: {res.stderr[-2000:]}")
        out = json.loads(res.stdout.strip().splitlines()[-1])
        out["load"] = round((load0 + os.getloadavg()[0]) / 2, 2)
        return out
    finally:
        node.send_signal(2)
        try:
            node.wait(30)
        except subprocess.TimeoutExpired:
            node.kill()


def report(results: dict[str, list[dict]], cfg: dict, systems: list[str], n_runs: int) -> None:
    """One table: medians over the runs, each run's p99, the worst run's p99 and drops, the goal per run."""
    how = (
        f"SCHED_FIFO {cfg['chrt']} (chrt)"
        if cfg["chrt"]
        else f"the node's realtime mode (--realtime {cfg['realtime']}; relay under chrt -f {cfg['realtime']})"
        if cfg["realtime"]
        else "normal scheduling"
    )
    if cfg["probe_chrt"] and not cfg["chrt"]:
        how += f", probe SCHED_FIFO {cfg['probe_chrt']}"
    loads = [r["load"] for rs in results.values() for r in rs]
    print(
        f"\ncaldera-ros node, {N} LIF neurons (+100k recurrent synapses), 1 kHz wall clock, {how}; "
        f"{n_runs} runs (systems interleaved), medians; load average {np.median(loads):.1f} "
        f"({min(loads):.1f}-{max(loads):.1f})"
    )
    print(
        f"{'system':<8} {'lat p50 ms':>10} {'lat p99 ms':>10} {'p99 of each run':>22} {'answered':>9}  "
        + "  ".join(f"{r}/s: recv/drop/rtf" for r in cfg["rates"])
    )

    def pct(runs: list[dict], q: float) -> list[float]:
        return [float(np.percentile(r["latency_ms"], q)) if r["latency_ms"] else float("nan") for r in runs]

    ref50 = ref99 = None
    for s in systems:
        runs = results[s]
        p50, p99 = float(np.nanmedian(pct(runs, 50))), float(np.nanmedian(pct(runs, 99)))
        ans = int(np.median([r["answered"] for r in runs]))
        cols = []
        for rate in cfg["rates"]:
            rr = [r["rates"][str(rate)] for r in runs]
            rtf = [x["real_time_factor"] for x in rr if x.get("real_time_factor") is not None]
            cols.append(
                f"{int(np.median([x['received'] for x in rr]))}/{int(np.median([x['dropped'] for x in rr]))}/"
                + (f"{np.median(rtf):.3f}" if rtf else "-")
            )
        if s == "rospy":
            ref50, ref99 = p50, pct(runs, 99)
        note = ""
        if ref99 is not None and s != "rospy":
            # each run of a system is paired with the relay's run of the same round (interleaved)
            gap = float(np.nanmedian(np.subtract(pct(runs, 99), ref99)))
            note = f"  (p50 {p50 / ref50:.2f}x the relay; p99 - relay's p99 of the same round: {gap:+.2f} ms)"
        each = ",".join(f"{v:.1f}" for v in pct(runs, 99))
        worst = float(np.nanmax(pct(runs, 99)))
        drops = {rate: [r["rates"][str(rate)]["dropped"] for r in runs] for rate in cfg["rates"]}
        d1k = drops.get(1000)
        met = sum(
            1
            for r, q in zip(runs, pct(runs, 99))
            if q < 5.0 and r["answered"] == cfg["pulses"] and (d1k is None or r["rates"]["1000"]["dropped"] == 0)
        )
        sched = sorted({str(r.get("realtime")) for r in runs}) if s != "rospy" else []
        note += f"\n{'':<8} worst run's p99 {worst:.2f} ms; drops per run " + "; ".join(
            f"{rate}/s: max {max(d)}, total {sum(d)}" for rate, d in drops.items()
        )
        note += f"; goal met in {met} of {len(runs)} runs"
        note += f"; node's scheduling: {', '.join(sched)}" if sched else ""
        print(
            f"{s:<8} {p50:>10.2f} {p99:>10.2f} {each:>22} {ans:>5}/{cfg['pulses']:<3}  "
            + "  ".join(f"{c:>22}" for c in cols)
            + note
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--pulses", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--rates", default="500,1000,2000")
    ap.add_argument("--systems", default="rospy,cpu,cython")
    ap.add_argument(
        "--chrt",
        type=int,
        default=0,
        help="run node, relay and probe under SCHED_FIFO at this priority (chrt -f; root or CAP_SYS_NICE): "
        "takes the other processes of a loaded machine out of the latencies",
    )
    ap.add_argument(
        "--realtime",
        type=int,
        default=0,
        help="the node's own real-time mode at this priority (caldera ros run --realtime N); the relay under chrt -f N",
    )
    ap.add_argument(
        "--modes",
        help="normal,realtime: both in one invocation, interleaved run by run (realtime at --realtime's priority)",
    )
    ap.add_argument("--probe-chrt", type=int, default=0, help="run only the probe under SCHED_FIFO at this priority")
    ap.add_argument("--json", help="also write every run's figures to this file")
    ap.add_argument("--echo", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--probe", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.echo:
        echo()
        return 0
    if args.probe:
        probe(json.loads(args.probe))
        return 0
    import caldera.plugins
    from caldera_ros.roscore import RosCore, ros_available

    why = ros_available()
    if why:
        print(f"skipped: {why}")
        return 0
    systems = [s for s in args.systems.split(",") if s == "rospy" or s in caldera.plugins.backends()]
    cfg = {
        "pulses": args.pulses,
        "seconds": args.seconds,
        "rates": [int(r) for r in args.rates.split(",")],
        "chrt": args.chrt,
        "realtime": args.realtime,
        "probe_chrt": args.probe_chrt,
    }
    modes = args.modes.split(",") if args.modes else ["realtime" if args.realtime else "normal"]
    bad = [m for m in modes if m not in ("normal", "realtime")]
    if bad or ("realtime" in modes and not args.realtime):
        ap.error(f"--modes takes normal and realtime (realtime needs --realtime PRIORITY), got {args.modes!r}")
    cfgs = {m: {**cfg, "realtime": args.realtime if m == "realtime" else 0} for m in modes}
    results: dict[str, dict[str, list[dict]]] = {m: {s: [] for s in systems} for m in modes}
    with tempfile.TemporaryDirectory() as tmp:
        build(os.path.join(tmp, "net.npz"))
        core = RosCore(tmp)
        core.start()
        try:
            for _ in range(args.runs):
                for m in modes:  # interleaved, so that the machine's load hits every mode and system alike
                    for s in systems:
                        results[m][s].append(one_run(core, tmp, s, cfgs[m]))
        finally:
            core.stop()
    for m in modes:
        report(results[m], cfgs[m], systems, args.runs)
    sent = {r: int(r * cfg["seconds"]) for r in cfg["rates"]}
    print(f"messages sent per rate: {sent}; goal: p99 < 5 ms at 1 kHz, no drops at 1 kHz input")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"config": cfg, "modes": {m: cfgs[m] for m in modes}, "results": results}, f)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
