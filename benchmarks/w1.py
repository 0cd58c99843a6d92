"""W1: LIF -> Dense -> LIF, on every installed caldera backend and on Lava 0.10, side by side.

For each size n (100, 1000) and tag (fixed_pt, floating_pt) the network of
``benchmarks/lava_w1.py`` is built (same ``build`` function, written against
caldera) and measured:

- import: ``import numpy, numpy.random, caldera, caldera.procs`` (Lava: importing lava_w1.py's module);
- start-up: build + compile + first step, wall time. Every repetition runs in a fresh
  interpreter; its first network is the *cold* start-up (all first-use costs: plugin
  loading, lazy imports, caches) and the following ``--warm-nets`` networks in that
  interpreter are *warm*;
- steps/s: the ``--steps`` steps (1000) that follow the first one, over every network.

Figures are medians over repetitions with [min–max]. The table is printed and the raw
samples and summaries are written to ``benchmarks/results/w1-<timestamp>.json``.

Usage: ``python benchmarks/w1.py [--reps 5] [--lava-reps 3] [--quick] [--no-lava] ...``
(``nox -s bench -- <args>``). See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
LAVA_SCRIPT = HERE / "lava_w1.py"
sys.path.insert(0, str(HERE))
import refenv  # noqa: E402 - the reference environments' cache (benchmarks/refenv.py)

LAVA_VENV = refenv.venv_dir("lava")
DEFAULT_LAVA_PYTHON = refenv.python("lava")
LAVA_REQUIREMENT = "lava-nc==0.10.0"
LAVA_SYSTEM = "lava-0.10"
SIZES = (100, 1000)
TAGS = ("fixed_pt", "floating_pt")
WORKER_TIMEOUT_S = 900

# Filled in by _import_caldera() (kept as module globals so that ``build`` below reads exactly
# like the one in lava_w1.py; tests/benchmarks/test_w1_smoke.py checks that they stay identical).
np = LIF = Dense = caldera = None


# ---------------------------------------------------------------------------------------------
# The caldera side: one fresh interpreter per repetition (``--worker``)
# ---------------------------------------------------------------------------------------------
def build(n, tag, seed=0):
    rng = np.random.default_rng(seed)
    if tag == "fixed_pt":
        a = LIF(shape=(n,), du=409, dv=409, vth=100, bias_mant=rng.integers(50, 150, n), bias_exp=6)
        syn = Dense(weights=rng.integers(-20, 60, (n, n)))
        b = LIF(shape=(n,), du=409, dv=409, vth=200)
    else:
        a = LIF(shape=(n,), du=0.1, dv=0.1, vth=1.0, bias_mant=rng.uniform(0.05, 0.15, n))
        syn = Dense(weights=rng.uniform(-0.05, 0.2, (n, n)))
        b = LIF(shape=(n,), du=0.1, dv=0.1, vth=2.0)
    a.s_out.connect(syn.s_in)
    syn.a_out.connect(b.a_in)
    return a, b


def _import_caldera() -> float:
    """Import what the workload needs; returns the seconds it took (0 when already imported)."""
    global np, LIF, Dense, caldera
    if caldera is not None:
        return 0.0
    t0 = time.perf_counter()
    import caldera as _caldera
    import numpy as _np
    import numpy.random  # noqa: F401 - build() draws with it; Lava's imports load it too, so both pay it here
    from caldera.procs import LIF as _LIF
    from caldera.procs import Dense as _Dense

    t1 = time.perf_counter()
    np, caldera, LIF, Dense = _np, _caldera, _LIF, _Dense
    return t1 - t0


class Refused(Exception):
    """The backend refused the network while building or compiling it (a caldera error, e.g. it does not fit)."""


def run_network(n: int, tag: str, steps: int, backend: str) -> dict:
    """One W1 network: build + compile + first step (start-up), then ``steps`` steps, then stop."""
    _import_caldera()
    cfg = caldera.RunConfig(backend=backend, tag=tag)
    t0 = time.perf_counter()
    try:
        a, b = build(n, tag)
        t_built = time.perf_counter()
        a.run(condition=caldera.RunSteps(num_steps=1), run_cfg=cfg)
    except caldera.CalderaError as e:
        if isinstance(e, caldera.RunError):
            raise
        first = str(e).strip().splitlines()[0] if str(e).strip() else ""
        raise Refused(f"{type(e).__name__}: {first}") from e
    t1 = time.perf_counter()
    a.run(condition=caldera.RunSteps(num_steps=steps), run_cfg=cfg)
    t2 = time.perf_counter()
    # what the network computed (outside the timing): every backend of a tag must give the same numbers
    state = {f"{k}_{v}_sum": float(np.sum(getattr(p, v).get())) for k, p in (("a", a), ("b", b)) for v in ("u", "v")}
    a.stop()
    return {
        "startup_s": t1 - t0,
        "build_s": t_built - t0,
        "compile_first_step_s": t1 - t_built,
        "steps_per_s": steps / (t2 - t1),
        **state,
    }


def worker(backend: str, n: int, tag: str, steps: int, nets: int) -> dict:
    """What one fresh interpreter measures: the import, then ``nets`` networks (the first is cold)."""
    import_s = _import_caldera()
    runs = [run_network(n, tag, steps, backend) for _ in range(nets)]
    return {"import_s": import_s, "runs": runs}


# ---------------------------------------------------------------------------------------------
# Lava 0.10: found or provisioned, then benchmarks/lava_w1.py in a subprocess
# ---------------------------------------------------------------------------------------------
_LAVA_CHECK = "import lava.magma.core.run_configs, lava.proc.lif.process, lava.proc.dense.process"

# Runs lava_w1.py in Lava's interpreter: times the import of the module (lava + numpy), reports
# the versions, then calls its main() with (sizes, tags, steps, reps).
_LAVA_WRAPPER = """
import json, platform, runpy, sys, time
from importlib import metadata
script, args = sys.argv[1], sys.argv[2:]
t0 = time.perf_counter()
mod = runpy.run_path(script, run_name="lava_w1")
t1 = time.perf_counter()
import numpy
try:
    lava_version = metadata.version("lava-nc")
except Exception:
    lava_version = "?"
print(json.dumps({"import_s": t1 - t0, "lava_version": lava_version, "numpy_version": numpy.__version__,
                  "python_version": platform.python_version()}), flush=True)
sys.argv = [script, *args]
mod["main"]()
"""


def _python_ok(python: str | os.PathLike, check: str = _LAVA_CHECK) -> bool:
    try:
        r = subprocess.run([str(python), "-c", check], capture_output=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return r.returncode == 0


def provision_lava(lava_python: str | None, log=print) -> tuple[str | None, str]:
    """Lava's interpreter, creating the cached environment if needed (refenv.py); ``(None, why)`` when impossible."""
    if lava_python:  # given explicitly: use it or say why not
        if not pathlib.Path(lava_python).exists():
            return None, f"--lava-python {lava_python} does not exist"
        if not _python_ok(lava_python):
            return None, f"--lava-python {lava_python} cannot import lava ({_LAVA_CHECK})"
        return lava_python, f"Lava from {lava_python}"
    try:  # created in the benchmarks' cache folder the first time (benchmarks/refenv.py)
        py = refenv.ensure("lava", log=lambda msg: log(msg, file=sys.stderr))
    except refenv.RefEnvError as e:
        return None, str(e)
    return str(py), f"Lava from {py}"


def run_lava_process(python: str, n: int, tag: str, steps: int, nets: int) -> dict:
    """One fresh Lava interpreter: lava_w1.py's import, then ``nets`` networks (the first is cold)."""
    r = subprocess.run(
        [python, "-c", _LAVA_WRAPPER, str(LAVA_SCRIPT), str(n), tag, str(steps), str(nets)],
        capture_output=True,
        text=True,
        timeout=WORKER_TIMEOUT_S,
        cwd=str(ROOT),
        env=_child_env(foreign=True),
    )
    lines = [json.loads(x) for x in r.stdout.splitlines() if x.startswith("{")]
    if r.returncode != 0 or len(lines) < 2:
        raise RuntimeError(f"Lava run n={n} {tag} failed (exit {r.returncode}):\n{r.stderr[-3000:]}")
    meta, res = lines[0], lines[1]
    runs = [{"startup_s": s, "steps_per_s": v} for s, v in zip(res["startup_s"], res["steps_per_s"])]
    return {"import_s": meta["import_s"], "runs": runs, "meta": meta}


# ---------------------------------------------------------------------------------------------
# The driver
# ---------------------------------------------------------------------------------------------
PYCACHE_PREFIX = HERE / "results" / ".pycache"
_BYTECODE = {"fix": True}
_BLAS_THREADS: dict[str, str] = {}
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _child_env(foreign: bool = False) -> dict:
    """The environment of a child interpreter.

    ``foreign`` (Lava's) gets no PYTHONPATH/PYTHONHOME of ours. For caldera's, when the
    environment forbids bytecode caches (PYTHONDONTWRITEBYTECODE, as in some sandboxes) and
    caldera is installed editable, every fresh interpreter would recompile caldera from
    source (~30 ms more start-up, ~100 ms more import) while Lava, installed by pip, has its
    .pyc files: the child then writes and reads caches under benchmarks/results/.pycache
    (PYTHONPYCACHEPREFIX), as after a normal install, and the source tree stays clean.
    """
    env = dict(os.environ)
    env.update(_BLAS_THREADS)
    if foreign:
        for k in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):
            env.pop(k, None)
    elif _BYTECODE["fix"] and env.get("PYTHONDONTWRITEBYTECODE") and not env.get("PYTHONPYCACHEPREFIX"):
        env.pop("PYTHONDONTWRITEBYTECODE")
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE_PREFIX)
    return env


def run_caldera_process(backend: str, n: int, tag: str, steps: int, nets: int) -> dict:
    cmd = [
        sys.executable,
        str(pathlib.Path(__file__).resolve()),
        "--worker",
        "--backend",
        backend,
        "--sizes",
        str(n),
        "--tags",
        tag,
        "--steps",
        str(steps),
        "--nets",
        str(nets),
    ]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=WORKER_TIMEOUT_S, env=_child_env())
    lines = [x for x in r.stdout.splitlines() if x.startswith("{")]
    if r.returncode != 0 or not lines:
        raise RuntimeError(f"caldera worker {backend} n={n} {tag} failed (exit {r.returncode}):\n{r.stderr[-3000:]}")
    return json.loads(lines[-1])


def unsupported(backend: str, tag: str) -> str | None:
    """Why ``backend`` cannot run W1 with ``tag`` (no registered LIF or Dense model it accepts), or None."""
    from caldera import plugins
    from caldera.procs import LIF as _LIF
    from caldera.procs import Dense as _Dense

    b = plugins.backends()[backend]
    models = plugins.process_models()
    for pcls in (_LIF, _Dense):
        if not any(m.implements_process is pcls and tag in m.tags and b.accepts(m) for _, m in models):
            return f"backend {backend!r} has no {tag} model of {pcls.__name__}"
    return None


def _cpu_sample() -> tuple[float, float, float] | None:
    """(wall time, machine busy CPU seconds, CPU seconds of our finished children) — Linux only."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    hz = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    busy = (sum(fields[:8]) - fields[3] - fields[4]) / hz  # all but idle and iowait (guest is inside user)
    t = os.times()
    return time.monotonic(), busy, t.children_user + t.children_system


def _other_load(start, end) -> float | None:
    """Average number of cores that other processes kept busy between two samples."""
    if not start or not end or end[0] <= start[0]:
        return None
    return max(0.0, ((end[1] - start[1]) - (end[2] - start[2])) / (end[0] - start[0]))


def _last_line(e: BaseException) -> str:
    """The first line of a failure and the last line of its traceback (the whole text goes to the JSON file)."""
    lines = [x for x in str(e).strip().splitlines() if x.strip()]
    return lines[0] if len(lines) < 2 else f"{lines[0]} {lines[-1].strip()}"


def _stats(xs: list[float]) -> dict:
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "count": len(xs)} if xs else None


def summarize(processes: list[dict]) -> dict:
    """Cold = first network of each fresh interpreter; warm = the others; steps/s over all networks."""
    cold = [p["runs"][0]["startup_s"] for p in processes if p["runs"]]
    warm = [r["startup_s"] for p in processes for r in p["runs"][1:]]
    rates = [r["steps_per_s"] for p in processes for r in p["runs"]]
    return {
        "import_s": _stats([p["import_s"] for p in processes]),
        "startup_cold_s": _stats(cold),
        "startup_warm_s": _stats(warm),
        "steps_per_s": _stats(rates),
    }


def _git_describe() -> dict:
    def git(*args):
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain", "--", "core", "plugins"))}


def _environment() -> dict:
    import caldera as _c
    import numpy

    env = {k: v for k, v in _child_env().items() if k in _THREAD_VARS}  # what the measured interpreters get
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    return {
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "caldera": _c.__version__,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor(),
        "cpu_count": os.cpu_count(),
        "loadavg_at_start": load,
        "thread_env": env,
        "pythondontwritebytecode": os.environ.get("PYTHONDONTWRITEBYTECODE"),
        "git": _git_describe(),
    }


def _fmt_num(x: float) -> str:
    if x >= 100:
        return f"{x:,.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def _fmt_stat(s: dict | None, scale: float = 1.0, spread: bool = True) -> str:
    if not s:
        return "—"
    med = _fmt_num(s["median"] * scale)
    if not spread or s["count"] < 2:
        return med
    return f"{med} [{_fmt_num(s['min'] * scale)}–{_fmt_num(s['max'] * scale)}]"


def _ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return "—"
    return f"{a / b:.1f}×" if a / b < 100 else f"{a / b:,.0f}×"


def format_table(results: list[dict]) -> str:
    lava = {(r["n"], r["tag"]): r["summary"] for r in results if r["system"] == LAVA_SYSTEM}
    head = [
        "system",
        "backend",
        "n",
        "tag",
        "import ms",
        "start-up ms cold",
        "start-up ms warm",
        "steps/s median [min–max]",
        "caldera/Lava steps/s",
        "Lava/caldera start-up cold | warm",
    ]
    rows = []
    for r in results:
        s = r["summary"]
        ref = lava.get((r["n"], r["tag"])) if r["system"] != LAVA_SYSTEM else None

        def med(summary, key):
            v = summary.get(key) if summary else None
            return v["median"] if v else None

        speed = _ratio(med(s, "steps_per_s"), med(ref, "steps_per_s")) if ref else "—"
        start = (
            (
                f"{_ratio(med(ref, 'startup_cold_s'), med(s, 'startup_cold_s'))} | "
                f"{_ratio(med(ref, 'startup_warm_s'), med(s, 'startup_warm_s'))}"
            )
            if ref
            else "—"
        )
        rows.append(
            [
                r["system"],
                r["backend"],
                str(r["n"]),
                r["tag"],
                _fmt_stat(s["import_s"], 1e3, spread=False),
                _fmt_stat(s["startup_cold_s"], 1e3),
                _fmt_stat(s["startup_warm_s"], 1e3),
                _fmt_stat(s["steps_per_s"]),
                speed,
                start,
            ]
        )
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(head)]
    right = {2, 4, 5, 6, 7, 8}

    def line(cells):
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    out = [line(head), "  ".join("-" * w for w in widths)]
    out += [line(row) for row in rows]
    return "\n".join(x.rstrip() for x in out)


def _progress(total: int, enabled: bool):
    class _Null:
        def update(self, k=1):
            pass

        def set_postfix_str(self, s):
            pass

        def close(self):
            pass

        def write(self, s, file=None):
            print(s, file=sys.stderr)

    if not enabled:
        return _Null()
    try:
        from tqdm import tqdm
    except ImportError:
        return _Null()
    return tqdm(total=total, desc="W1", unit="proc", file=sys.stderr, dynamic_ncols=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--reps", type=int, default=None, help="fresh interpreters per caldera (backend, n, tag) (default 5)"
    )
    p.add_argument("--lava-reps", type=int, default=None, help="fresh interpreters per Lava (n, tag) (default 3)")
    p.add_argument(
        "--warm-nets",
        type=int,
        default=None,
        help="networks built after the first (cold) one in each interpreter (default 1)",
    )
    p.add_argument("--steps", type=int, default=None, help="steps measured after the first one (default 1000)")
    p.add_argument("--sizes", default=None, help="comma-separated neuron counts (default 100,1000)")
    p.add_argument("--tags", default=",".join(TAGS), help="comma-separated tags (default fixed_pt,floating_pt)")
    p.add_argument("--backends", default=None, help="comma-separated caldera backends (default: every installed one)")
    p.add_argument(
        "--quick", action="store_true", help="smoke run: 100 steps, 2 reps (1 for Lava), unless given explicitly"
    )
    p.add_argument("--no-lava", action="store_true", help="skip Lava")
    p.add_argument(
        "--lava-python",
        default=os.environ.get("CALDERA_LAVA_PYTHON"),
        help=f"Python with lava-nc 0.10 (default {DEFAULT_LAVA_PYTHON}, the cached reference environment, "
        "created from a Python 3.10 when missing: see benchmarks/refenv.py)",
    )
    p.add_argument("--out", default=str(HERE / "results"), help="folder for w1-<timestamp>.json")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument(
        "--blas-threads",
        type=int,
        default=None,
        help="set OMP/OPENBLAS/MKL_NUM_THREADS for every measured interpreter, both systems (default: inherit)",
    )
    p.add_argument("--no-prime", action="store_true", help="skip the untimed priming run of each system")
    p.add_argument(
        "--inherit-bytecode-env",
        action="store_true",
        help="keep PYTHONDONTWRITEBYTECODE for caldera's interpreters (default: use a .pyc cache "
        "under benchmarks/results/.pycache instead, see _child_env)",
    )
    # internal: one fresh-interpreter repetition of the caldera side
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--backend", default=None, help=argparse.SUPPRESS)
    p.add_argument("--nets", type=int, default=2, help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    a.steps = a.steps if a.steps is not None else (100 if a.quick else 1000)
    a.reps = a.reps if a.reps is not None else (2 if a.quick else 5)
    a.lava_reps = a.lava_reps if a.lava_reps is not None else (1 if a.quick else 3)
    a.warm_nets = a.warm_nets if a.warm_nets is not None else 1
    a.sizes = [int(x) for x in (a.sizes or ",".join(map(str, SIZES))).split(",")]
    a.tags = [t for t in a.tags.split(",") if t]
    for k in ("steps", "reps", "lava_reps"):
        if getattr(a, k) < 1:
            p.error(f"--{k.replace('_', '-')} must be >= 1")
    if a.warm_nets < 0:
        p.error("--warm-nets must be >= 0")
    return a


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    if args.worker:
        try:
            res = worker(args.backend, args.sizes[0], args.tags[0], args.steps, args.nets)
        except Refused as e:
            res = {"refused": str(e)}
        print(json.dumps(res), flush=True)
        return res

    from caldera import plugins

    installed = sorted(plugins.backends())
    backends = args.backends.split(",") if args.backends else installed
    missing = [b for b in backends if b not in installed]
    if missing:
        raise SystemExit(f"unknown backend(s) {missing}; installed: {installed}")

    lava_python, lava_note = (None, "skipped (--no-lava)")
    if not args.no_lava:
        lava_python, lava_note = provision_lava(args.lava_python, log=print)
        if lava_python is None:
            print(f"[w1] NOTE: running without Lava: {lava_note}", file=sys.stderr)
    _BYTECODE["fix"] = not args.inherit_bytecode_env
    _BLAS_THREADS.clear()
    if args.blas_threads is not None:
        _BLAS_THREADS.update({k: str(args.blas_threads) for k in _THREAD_VARS})
    nets = 1 + args.warm_nets
    configs = [(n, tag) for n in args.sizes for tag in args.tags]
    skipped = {(b, t): why for b in backends for t in args.tags if (why := unsupported(b, t))}
    runs = [(b, n, t) for b in backends for n, t in configs if (b, t) not in skipped]
    started = _dt.datetime.now()
    env = _environment()
    print(
        f"W1 (LIF -> Dense -> LIF): sizes {args.sizes}, tags {args.tags}, {args.steps} steps after the first; "
        f"caldera backends {backends} x {args.reps} fresh interpreters, Lava x {args.lava_reps if lava_python else 0}; "
        f"{nets} networks per interpreter (first = cold)",
        flush=True,
    )
    print(f"Lava: {lava_note}", flush=True)

    total = len(runs) * args.reps + len(configs) * (args.lava_reps if lava_python else 0)
    bar = _progress(total, not args.no_progress)
    # untimed priming run per system: bytecode caches written, files in the OS cache, as for any
    # installed package that has been used once
    bar.set_postfix_str("priming")
    primers = (
        []
        if args.no_prime
        else [
            (f"caldera/{b} {t}", lambda b=b, t=t: run_caldera_process(b, 4, t, 1, 1))
            for b, t in sorted({(b, t) for b, _, t in runs})
        ]
        + [(f"lava {t}", lambda t=t: run_lava_process(lava_python, 4, t, 1, 1)) for t in args.tags if lava_python]
    )
    for what, prime in primers:
        try:
            prime()
        except (RuntimeError, subprocess.TimeoutExpired):
            bar.write(f"[w1] priming {what} failed (the measured runs will report the error)", file=sys.stderr)
    raw: dict[tuple, list[dict]] = {}
    lava_meta: dict | None = None
    errors: list[str] = []
    # repetition-major order, Lava interleaved with caldera: slow drifts of a shared machine's speed
    # spread over every configuration and every system instead of favouring whichever ran first
    cpu_start = _cpu_sample()
    refused: dict[tuple, str] = {}
    failed: dict[str, list[str]] = {}
    lava_reps = args.lava_reps if lava_python else 0
    for rep in range(max(args.reps, lava_reps)):
        for backend, n, tag in runs if rep < args.reps else ():
            bar.set_postfix_str(f"caldera/{backend} n={n} {tag} rep {rep + 1}")
            if (backend, n, tag) not in refused:
                try:
                    p = run_caldera_process(backend, n, tag, args.steps, nets)
                    if "refused" in p:
                        refused[(backend, n, tag)] = p["refused"]
                    else:
                        raw.setdefault(("caldera", backend, n, tag), []).append(p)
                except (RuntimeError, subprocess.TimeoutExpired) as e:
                    errors.append(str(e))
                    failed.setdefault(f"caldera/{backend} n={n} {tag}", []).append(_last_line(e))
                    bar.write(f"[w1] ERROR: {_last_line(e)}", file=sys.stderr)
            bar.update()
        for n, tag in configs if rep < lava_reps else ():
            bar.set_postfix_str(f"lava n={n} {tag} rep {rep + 1}")
            try:
                p = run_lava_process(lava_python, n, tag, args.steps, nets)
                lava_meta = p.pop("meta")
                raw.setdefault((LAVA_SYSTEM, "Loihi2SimCfg", n, tag), []).append(p)
            except (RuntimeError, subprocess.TimeoutExpired) as e:
                errors.append(str(e))
                failed.setdefault(f"lava n={n} {tag}", []).append(_last_line(e))
                bar.write(f"[w1] ERROR: {_last_line(e)}", file=sys.stderr)
            bar.update()
    bar.close()
    other_load = _other_load(cpu_start, _cpu_sample())

    results = []
    order = [("caldera", b) for b in backends] + [(LAVA_SYSTEM, "Loihi2SimCfg")]
    for n, tag in configs:
        for system, backend in order:
            procs = raw.get((system, backend, n, tag))
            if procs:
                results.append(
                    {
                        "system": system,
                        "backend": backend,
                        "n": n,
                        "tag": tag,
                        "summary": summarize(procs),
                        "processes": procs,
                    }
                )
    table = format_table(results)
    print()
    print(table)
    print(
        "\nstart-up = build + compile + first step; cold = first network in a fresh interpreter, "
        "warm = later ones;\nsteps/s = the following steps, all networks; medians [min–max]; "
        "ratios use medians."
    )
    for why in skipped.values():
        print(f"not run: {why}")
    for (backend, n, tag), why in refused.items():
        print(f"not run: caldera/{backend} n={n} {tag}: the backend refused the network: {why}")
    for what, msgs in failed.items():
        print(f"FAILED: {what}: {len(msgs)} run(s) failed, last: {msgs[-1]}")
    if lava_python is None:
        print(f"(no Lava in this run: {lava_note})")
    if other_load is not None:
        note = " — the figures are noisy; rerun on a quiet machine" if other_load > 0.25 else ""
        print(f"other processes kept ~{other_load:.2f} of {os.cpu_count()} cores busy during the measurements{note}")

    report = {
        "workload": "W1",
        "started": started.isoformat(timespec="seconds"),
        "finished": _dt.datetime.now().isoformat(timespec="seconds"),
        "args": {k: v for k, v in vars(args).items() if k not in ("worker", "backend", "nets")},
        "environment": env,
        "other_load_cores": other_load,
        "lava": {"python": lava_python, "note": lava_note, "meta": lava_meta},
        "caldera_child_env": {
            k: v
            for k, v in _child_env().items()
            if k in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX", *_THREAD_VARS)
        },
        "results": results,
        "skipped": [{"backend": b, "tag": t, "why": why} for (b, t), why in skipped.items()],
        "refused": [{"backend": b, "n": n, "tag": t, "why": why} for (b, n, t), why in refused.items()],
        "errors": errors,
        "table": table,
    }
    out_dir = pathlib.Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"w1-{started.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(report, indent=1))
    print(f"\nresults: {path}")
    report["path"] = str(path)
    if errors:
        print(f"[w1] {len(errors)} run(s) failed; full messages in {path}", file=sys.stderr)
    return report


if __name__ == "__main__":
    rep = main()
    sys.exit(1 if rep.get("errors") else 0)
