"""W1 written with Lava's imports (caldera-lava) against the same network written with caldera's own API.

The Lava side is ``benchmarks/lava_w1.py``'s ``build`` itself (``from lava.proc.lif.process import LIF`` ...,
run with ``Loihi2SimCfg(select_tag=tag)``), imported in this interpreter where ``lava`` is caldera-lava; the
native side is ``benchmarks/w1.py``'s ``build`` (``caldera.procs``, ``caldera.RunConfig(tag=tag)``). Both run
on the same backend, repetition by repetition in alternating order, and the table gives medians over the
repetitions of:

- steps/s of ``--steps`` steps after the first one;
- start-up: build + compile + first step;
- import: the Lava modules that lava_w1.py names against ``caldera, caldera.procs``, each in a fresh
  interpreter.

The goal (issue 19): the Lava-import version within 10 % of the native API. Usage:
``python benchmarks/w1_lava_api.py [--reps 7] [--steps 1000] [--sizes 100,1000] [--backends cpu,cython]``.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import importlib.util
import json
import pathlib
import platform
import statistics
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
TAGS = ("fixed_pt", "floating_pt")
LAVA_IMPORTS = (
    "import numpy, numpy.random; from lava.magma.core.run_conditions import RunSteps; "
    "from lava.magma.core.run_configs import Loihi2SimCfg; from lava.proc.dense.process import Dense; "
    "from lava.proc.lif.process import LIF"
)
NATIVE_IMPORTS = "import numpy, numpy.random, caldera, caldera.procs"


_FIELDS = (
    "backend",
    "n",
    "tag",
    "native_steps_s",
    "lava_steps_s",
    "ratio",
    "native_startup_s",
    "lava_startup_s",
    "native_steps_cpu_s",
    "lava_steps_cpu_s",
    "cpu_ratio",
)


def _load(name: str, path: pathlib.Path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _import_seconds(code: str, reps: int) -> list[float]:
    timer = f"import time; t0 = time.perf_counter(); {code}; print(time.perf_counter() - t0)"
    out = []
    for _ in range(reps):
        r = subprocess.run([sys.executable, "-c", timer], capture_output=True, text=True, timeout=300, check=True)
        out.append(float(r.stdout.strip().splitlines()[-1]))
    return out


def _one(build, cfg, run_steps, n: int, tag: str, steps: int) -> tuple[float, float, float]:
    """(start-up seconds, steps per wall second, steps per CPU second of this process) of one network."""
    t0 = time.perf_counter()
    a, _b = build(n, tag)
    a.run(condition=run_steps(num_steps=1), run_cfg=cfg)
    t1 = time.perf_counter()
    c1 = time.process_time()
    a.run(condition=run_steps(num_steps=steps), run_cfg=cfg)
    c2 = time.process_time()
    t2 = time.perf_counter()
    a.stop()
    return t1 - t0, steps / (t2 - t1), steps / max(c2 - c1, 1e-9)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--sizes", default="100,1000")
    ap.add_argument("--backends", default=None, help="comma-separated (default: every installed CPU backend)")
    ap.add_argument("--import-reps", type=int, default=5)
    args = ap.parse_args(argv)
    if args.reps < 1 or args.steps < 1:
        ap.error("--reps and --steps must be >= 1")

    import caldera
    from caldera import plugins

    lava_w1 = _load("lava_w1", HERE / "lava_w1.py")  # its `from lava... import` lines resolve to caldera-lava
    w1 = _load("w1_native", HERE / "w1.py")
    w1._import_caldera()
    from lava.magma.core.run_conditions import RunSteps as LavaRunSteps
    from lava.magma.core.run_configs import Loihi2SimCfg

    installed = sorted(plugins.backends())
    backends = args.backends.split(",") if args.backends else [b for b in ("cpu", "cython") if b in installed]
    sizes = [int(s) for s in args.sizes.split(",")]
    rows, raw = [], []
    for backend in backends:
        for n in sizes:
            for tag in TAGS:
                native_cfg = caldera.RunConfig(backend=backend, tag=tag)
                lava_cfg = Loihi2SimCfg(select_tag=tag, backend=backend)
                sample = {"native": ([], [], []), "lava": ([], [], [])}
                for rep in range(args.reps + 1):  # the first repetition warms both up and is not counted
                    order = ("native", "lava") if rep % 2 == 0 else ("lava", "native")
                    for side in order:
                        if side == "native":
                            got = _one(w1.build, native_cfg, caldera.RunSteps, n, tag, args.steps)
                        else:
                            got = _one(lava_w1.build, lava_cfg, LavaRunSteps, n, tag, args.steps)
                        if rep:
                            for series, value in zip(sample[side], got):
                                series.append(value)
                med = {k: tuple(statistics.median(x) for x in v) for k, v in sample.items()}
                ratio = med["lava"][1] / med["native"][1]
                cpu_ratio = med["lava"][2] / med["native"][2]
                rows.append(
                    (backend, n, tag, med["native"][1], med["lava"][1], ratio, med["native"][0], med["lava"][0])
                    + (med["native"][2], med["lava"][2], cpu_ratio)
                )
                raw.append({"backend": backend, "n": n, "tag": tag, "samples": sample})
                print(
                    f"{backend:<7} n={n:<5} {tag:<12} steps/s native {med['native'][1]:>9.0f}  lava {med['lava'][1]:>9.0f}"
                    f"  ratio {ratio:5.3f} (CPU time {cpu_ratio:5.3f})   start-up ms native {1e3 * med['native'][0]:6.1f}"
                    f"  lava {1e3 * med['lava'][0]:6.1f}",
                    flush=True,
                )
    imp_native = _import_seconds(NATIVE_IMPORTS, args.import_reps)
    imp_lava = _import_seconds(LAVA_IMPORTS, args.import_reps)
    print()
    print(f"W1, Lava imports (caldera-lava) vs caldera's API: medians of {args.reps} repetitions, {args.steps} steps")
    print(
        "steps/s per wall second; 'CPU ratio' uses steps per CPU second of this process, less disturbed by other load"
    )
    print(
        f"{'backend':<8}{'n':>6}  {'tag':<12}{'native st/s':>12}{'lava st/s':>11}{'lava/native':>12}"
        f"{'CPU ratio':>10}{'start-up ms n/l':>18}"
    )
    for b, n, tag, rn, rl, ratio, sn, sl, _cn, _cl, cr in rows:
        print(
            f"{b:<8}{n:>6}  {tag:<12}{rn:>12.0f}{rl:>11.0f}{ratio:>12.3f}{cr:>10.3f}{1e3 * sn:>9.1f}/{1e3 * sl:<8.1f}"
        )
    print(
        f"import (fresh interpreters, median of {args.import_reps}): caldera {1e3 * statistics.median(imp_native):.0f} ms, "
        f"lava.* names {1e3 * statistics.median(imp_lava):.0f} ms"
    )
    print(f"slowest ratio: wall {min(r[5] for r in rows):.3f}, CPU time {min(r[10] for r in rows):.3f} (goal: >= 0.90)")
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%S")
    path = out / f"w1-lava-api-{stamp}.json"
    path.write_text(
        json.dumps(
            {
                "python": platform.python_version(),
                "reps": args.reps,
                "steps": args.steps,
                "rows": [dict(zip(_FIELDS, r)) for r in rows],
                "import_s": {"native": imp_native, "lava": imp_lava},
                "raw": raw,
            },
            indent=1,
        )
    )
    print(f"saved {path.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
