"""Run the workloads W1–W5 with their reference systems side by side; write one markdown summary plus plots.

``python benchmarks/run_all.py [w1 w2 w3 w3-mpc w3-csp w4 w5] [--short | --quick]`` (what ``nox -s bench [-- w2 ...]``
runs). Every workload is its own script, run here as a subprocess in the same interpreter; the reference systems run
in the cached environments of ``benchmarks/refenv.py`` (created first when missing, which needs Python 3.10 for
Lava: without it the run stops before measuring anything, with a message saying how to get one). Each script
prints its own table and writes its raw results under ``benchmarks/results/``; this script then writes
``benchmarks/results/summary-<timestamp>.md`` — one table, a row per configuration: caldera's figure, the
reference's, their ratio — and ``summary-<timestamp>.png`` (the ratios as bars), and prints the table.
Three modes: the default runs every script with its own defaults (the full repetitions: more than an hour on a
2-core machine); ``--short`` keeps the real problem sizes but takes fewer repetitions (W1 2 interpreters per
configuration, 1 for Lava, 300 steps; W2 2 repetitions, 1 per scaling size; W3 Max-Cut at 1 and 3 s with 2
seeds; W3 MPC 1 repetition; W3 CSP 2 seeds with a 20 s limit; W4 2 repetitions, 1 for Lava; W5 5 epochs, 1
repetition): 10-20 minutes, with figures worth reading; ``--quick`` runs every workload at smoke size
(minutes): figures then only show that everything runs. The summary's first line says which mode made it.

The summary holds no path of the machine it ran on: the repository's root is written ``.``, the reference
environments' cache folder ``<cache>`` and the home folder ``~``, so that a summary can be committed as it is.

W5 (deep learning, ``w5_dl.py``) is included when the script exists and skipped with a message otherwise.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import pathlib
import platform
import subprocess
import sys
import time
import typing as ty

HERE = pathlib.Path(__file__).resolve().parent
RESULTS = HERE / "results"
sys.path.insert(0, str(HERE))
import refenv  # noqa: E402

# name: (title, script, reference, reference envs needed, args, --quick args, --short args, results prefix)
WORKLOADS: dict[str, dict] = {
    "w1": dict(
        title="W1 LIF→Dense→LIF",
        script="w1.py",
        reference="Lava 0.10",
        envs=["lava"],
        args=lambda env: ["--lava-python", env["lava"], "--no-progress"],
        quick=["--quick", "--sizes", "100"],
        short=["--reps", "2", "--lava-reps", "1", "--steps", "300"],
        prefix="w1-",
    ),
    "w2": dict(
        title="W2 CUBA",
        script="w2_cuba.py",
        reference="Brian2",
        envs=["brian2"],
        args=lambda env: ["--brian2-python", env["brian2"]],
        quick=["--quick", "--scaling", ""],
        short=["--reps", "2", "--scaling-reps", "1"],
        prefix="w2-",
    ),
    "w3": dict(
        title="W3 Max-Cut",
        script="w3_maxcut.py",
        reference="dwave-samplers SA",
        envs=[],
        args=lambda env: [],
        quick=["--time", "0.3", "--seeds", "1", "--instances", "G1"],
        short=["--times", "1,3", "--seeds", "2"],
        prefix="w3-2",
    ),
    "w3-mpc": dict(
        title="W3 MPC QP",
        script="w3_mpc_qp.py",
        reference="lava-optimization 0.5",
        envs=["lava"],
        args=lambda env: ["--lava-python", env["lava"]],
        quick=["--iters", "200", "--reps", "1"],
        short=["--reps", "1"],
        prefix="w3-mpc-",
    ),
    "w3-csp": dict(
        title="W3 CSP",
        script="w3_csp.py",
        reference="python-constraint2",
        envs=[],
        args=lambda env: [],
        quick=["--seeds", "1", "--limit", "5"],
        short=["--seeds", "2", "--limit", "20"],
        prefix="w3-csp-",
    ),
    "w4": dict(
        title="W4 DNF",
        script="w4_dnf.py",
        reference="lava-dnf 0.3 / Lava 0.10",
        envs=["lava"],
        args=lambda env: ["--lava-python", env["lava"]],
        quick=["--reps", "1", "--lava-reps", "1", "--steps", "100"],
        short=["--reps", "2", "--lava-reps", "1"],
        prefix="w4-",
    ),
    "w5": dict(
        title="W5 deep learning",
        script="w5_dl.py",
        reference="snnTorch (training)",
        envs=[],
        args=lambda env: ["--quiet"],
        quick=["--epochs", "2", "--reps", "1", "--pilot-steps", "20"],
        short=["--epochs", "5", "--reps", "1", "--pilot-steps", "100"],
        prefix="w5-",
    ),
}


class Row(ty.NamedTuple):
    workload: str
    config: str
    caldera: str
    reference: str
    ratio: float | None  # > 1: caldera better (faster, or lower error)
    meaning: str


def _med(d: ty.Any) -> float | None:
    if isinstance(d, dict):
        d = d.get("median")
    return float(d) if isinstance(d, (int, float)) else None


# -- per-workload extraction of the headline figures from the results JSON --------------------------------
def rows_w1(data: dict) -> list[Row]:
    res = data.get("results", [])
    lava = {(r["n"], r["tag"]): r for r in res if r["system"] != "caldera"}
    out = []
    for r in res:
        if r["system"] != "caldera":
            continue
        s = _med(r["summary"].get("steps_per_s"))
        ref = lava.get((r["n"], r["tag"]))
        rs = _med(ref["summary"].get("steps_per_s")) if ref else None
        out.append(
            Row(
                "W1",
                f"{r['backend']} n={r['n']} {r['tag']}",
                f"{s:,.0f} steps/s" if s else "-",
                f"{rs:,.0f} steps/s" if rs else "-",
                s / rs if s and rs else None,
                "speed-up",
            )
        )
    return out


def rows_w2(data: dict) -> list[Row]:
    res = data.get("results", {})
    out = []
    brian = {k.split(":")[2]: v for k, v in res.items() if k.startswith("brian2:cython:")}
    for k, v in res.items():
        kind, name, n = k.split(":")
        if kind != "caldera":
            continue
        s = _med(v["summary"].get("sim_s"))
        ref = brian.get(n)
        rs = _med(ref["summary"].get("sim_s")) if ref else None
        out.append(
            Row(
                "W2",
                f"{name} n={n}",
                f"{s:.2f} s" if s else "-",
                f"{rs:.2f} s (cython)" if rs else "-",
                rs / s if s and rs else None,
                "speed-up",
            )
        )
    return out


def rows_w3(data: dict) -> list[Row]:
    return [
        Row(
            "W3",
            f"Max-Cut {r.get('instance', k)} {r.get('time', '')} s",
            f"mean cut {r['caldera_mean']:.1f}",
            f"mean cut {r['sa_mean']:.1f}",
            r.get("mean_ratio"),
            "cut ratio",
        )
        for k, r in data.get("summary", {}).items()
    ]


def rows_w3_mpc(data: dict) -> list[Row]:
    summ = data.get("summary", {})
    lava = {k.split("@")[1]: v for k, v in summ.items() if k.startswith("lava-optimization")}
    out = []
    for k, v in summ.items():
        if k.startswith("lava-optimization"):
            continue
        name, it = k.rsplit("@", 1)
        ref = lava.get(it)
        out.append(
            Row(
                "W3 MPC",
                f"{name}, {it} iterations",
                f"violation {v['violation']:.2e}",
                f"violation {ref['violation']:.2e}" if ref else "-",
                ref["violation"] / v["violation"] if ref and v["violation"] > 0 else None,
                "violation ratio",
            )
        )
    return out


def rows_w3_csp(data: dict) -> list[Row]:
    out = []
    for name, v in data.get("summary", {}).items():
        runs = v["runs"]
        out.append(
            Row(
                "W3 CSP",
                f"{name} (time to a solution)",
                f"{v['caldera_s']:.3g} s, {v['caldera_solved']}/{runs} solved",
                f"{v['baseline_s']:.3g} s, {v['baseline_solved']}/{runs} solved",
                v["baseline_s"] / v["caldera_s"] if v["caldera_s"] > 0 else None,
                "speed-up",
            )
        )
    return out


def rows_w4(data: dict) -> list[Row]:
    out = []
    for k, v in data.get("summary", {}).items():
        if not isinstance(v, dict) or "lava" in k:  # e.g. "1d/equal_state": true, and Lava's own row
            continue
        s = _med(v.get("steps_per_s"))
        x = v.get("x_lava")
        ok = isinstance(x, (int, float)) and x == x  # not NaN
        out.append(
            Row(
                "W4",
                k,
                f"{s:,.0f} steps/s" if s else "-",
                f"{s / x:,.0f} steps/s" if s and ok and x else "-",
                float(x) if ok else None,
                "speed-up",
            )
        )
    return out


def rows_w5(data: dict) -> list[Row]:
    out = []
    snn = data.get("snntorch")
    if isinstance(snn, dict) and "caldera_dl_samples_per_s" in snn:
        out.append(
            Row(
                "W5",
                "training throughput (same network, data, batch)",
                f"{snn['caldera_dl_samples_per_s']:,.0f} samples/s, accuracy {snn['caldera_dl_accuracy']:.3f}",
                f"{snn['snntorch_samples_per_s']:,.0f} samples/s, accuracy {snn['snntorch_accuracy']:.3f}",
                snn["caldera_dl_samples_per_s"] / snn["snntorch_samples_per_s"],
                "speed-up",
            )
        )
    pilot = data.get("pilotnet")
    if isinstance(pilot, dict):
        for backend in ("cpu", "cython"):
            r = pilot.get(backend)
            if isinstance(r, dict) and "steps_per_s_median" in r:
                out.append(
                    Row("W5", f"PilotNet SDNN on {backend}", f"{r['steps_per_s_median']:,.1f} steps/s", "-", None, "-")
                )
    return out


EXTRACT: dict[str, ty.Callable[[dict], list[Row]]] = {
    "w5": rows_w5,
    "w1": rows_w1,
    "w2": rows_w2,
    "w3": rows_w3,
    "w3-mpc": rows_w3_mpc,
    "w3-csp": rows_w3_csp,
    "w4": rows_w4,
}


def _new_results(prefix: str, since: float) -> list[pathlib.Path]:
    if not RESULTS.exists():
        return []
    return sorted(
        (p for p in RESULTS.glob(f"{prefix}*.json") if p.stat().st_mtime >= since), key=lambda p: p.stat().st_mtime
    )


MODES = {
    "full": "",
    "short": " — short run: real sizes, fewer repetitions (see run_all.py)",
    "quick": " — **quick run: smoke sizes, figures not meaningful**",
}


def _mode(mode: str) -> str:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    return mode


def _public(text: str) -> str:
    """``text`` without this machine's paths: the repository root becomes ``.``, the cache ``<cache>``, home ``~``."""
    subs = [(str(HERE.parent), "."), (str(refenv.cache_dir()), "<cache>"), (str(pathlib.Path.home()), "~")]
    for real, shown in sorted(subs, key=lambda x: -len(x[0])):
        if real and real != "/":
            text = text.replace(real, shown)
    return text


def run_workload(name: str, envs: dict[str, str], mode: str = "full") -> dict:
    w = WORKLOADS[name]
    script = HERE / w["script"]
    if not script.exists():
        msg = f"{w['script']} is not in this checkout: {w['title']} skipped"
        print(f"== {name}: {msg}", flush=True)
        return dict(name=name, status="skipped", note=msg, rows=[], seconds=0.0, log="")
    extra = {"full": [], "short": w.get("short", []), "quick": w["quick"]}[_mode(mode)]
    cmd = [sys.executable, str(script), *w["args"](envs), *extra]
    print(f"== {name}: {' '.join(cmd[1:])}", flush=True)
    t0 = time.time()
    proc = subprocess.Popen(cmd, cwd=HERE.parent, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        print(line, end="", flush=True)
        lines.append(line)
    code = proc.wait()
    seconds = time.time() - t0
    files = _new_results(w["prefix"], t0 - 1)
    rows: list[Row] = []
    note = ""
    if files and name in EXTRACT:
        try:
            rows = EXTRACT[name](json.loads(files[-1].read_text()))
        except Exception as e:  # noqa: BLE001 - a format change must not lose the run's summary
            note = f"figures not extracted ({type(e).__name__}: {e}); see the log"
    elif not files:
        note = "no results file written; see the log"
    return dict(
        name=name,
        status="ok" if code == 0 else f"exit {code}",
        note=note,
        rows=rows,
        seconds=seconds,
        results=[str(f.relative_to(HERE.parent)) for f in files],
        log="".join(lines[-60:]),
    )


def _ratio(row: Row) -> str:
    if row.ratio is None:
        return "—"
    if row.meaning == "cut ratio":  # cuts within a fraction of a percent of each other: show the difference
        return f"{row.ratio:.4f}"
    return f"{row.ratio:.3g}×" if row.ratio < 1000 else f"{row.ratio:,.0f}×"


def markdown(runs: list[dict], envs: dict[str, str], mode: str, stamp: str, plot_name: str | None) -> str:
    import caldera

    out = [
        f"# Benchmark summary {stamp}",
        "",
        f"caldera {caldera.__version__}, Python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} cores, load average at the end {os.getloadavg()[0]:.2f}" + MODES[_mode(mode)],
        "",
        "Reference environments: "
        + (", ".join(f"`{k}` ({refenv.ENVS[k]['what']})" for k in envs) or "none needed")
        + ", cached in the folder `python benchmarks/refenv.py --where` prints.",
        "",
        "| workload | configuration | caldera | reference | ratio | ratio means |",
        "|---|---|---|---|---|---|",
    ]
    for r in runs:
        if not r["rows"]:
            out.append(
                f"| {WORKLOADS[r['name']]['title']} | — | {r['status']} | {WORKLOADS[r['name']]['reference']} | — | "
                f"{r['note'] or 'see the log'} |"
            )
        for row in r["rows"]:
            ratio = _ratio(row)
            out.append(f"| {row.workload} | {row.config} | {row.caldera} | {row.reference} | {ratio} | {row.meaning} |")
    out += [
        "",
        "Ratios above 1 favour caldera (speed-up: caldera's steps/s over the reference's, or the reference's "
        "seconds over caldera's; cut ratio: mean cut over SA's; violation ratio: the reference's constraint "
        "violation over caldera's). Medians of each script's repetitions; see each script's table for spreads.",
        "",
    ]
    if plot_name:
        out += [f"![ratios]({plot_name})", ""]
    out += ["## Runs", ""]
    for r in runs:
        w = WORKLOADS[r["name"]]
        files = ", ".join(f"`{f}`" for f in r.get("results", [])) or "none"
        out.append(
            f"- **{w['title']}** (`benchmarks/{w['script']}`): {r['status']}, {r['seconds']:.0f} s; results {files}"
        )
        if r["note"]:
            out.append(f"  - {r['note']}")
    for r in runs:
        if r["log"]:
            out += ["", f"### {WORKLOADS[r['name']]['title']} (end of its output)", "", "```", r["log"].rstrip(), "```"]
    return _public("\n".join(out) + "\n")


def plot(runs: list[dict], path: pathlib.Path) -> bool:
    rows = [row for r in runs for row in r["rows"] if row.ratio]
    if not rows:
        return False
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, ax = plt.subplots(figsize=(9, 0.32 * len(rows) + 1.2))
    labels = [f"{r.workload} {r.config}" for r in rows]
    vals = [r.ratio for r in rows]
    ax.barh(range(len(rows)), vals, color=["#2563eb" if v >= 1 else "#dc2626" for v in vals])
    ax.axvline(1, color="#111827", linewidth=1)
    ax.set_yticks(range(len(rows)), labels, fontsize=8)
    ax.invert_yaxis()
    if max(vals) / max(min(vals), 1e-12) > 50:
        ax.set_xscale("log")
    ax.set_xlabel("caldera vs reference (> 1 favours caldera)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("workloads", nargs="*", help=f"which to run (default all): {', '.join(WORKLOADS)}")
    how = ap.add_mutually_exclusive_group()
    how.add_argument("--short", action="store_true", help="real sizes, fewer repetitions (10-20 minutes)")
    how.add_argument("--quick", action="store_true", help="smoke sizes for every workload (minutes)")
    a = ap.parse_args(argv)
    names = a.workloads or list(WORKLOADS)
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown:
        ap.error(f"unknown workload(s) {', '.join(unknown)}; known: {', '.join(WORKLOADS)}")
    needed = sorted({e for n in names for e in WORKLOADS[n]["envs"] if (HERE / WORKLOADS[n]["script"]).exists()})
    envs: dict[str, str] = {}
    print(f"reference environments in {refenv.cache_dir()} (set CALDERA_BENCH_CACHE to move them)", flush=True)
    for e in needed:
        try:
            envs[e] = str(refenv.ensure(e))
        except refenv.RefEnvError as err:
            print(f"error: cannot set up the reference environment {e!r}: {err}", file=sys.stderr)
            return 2
        print(f"  {e}: {envs[e]}", flush=True)
    mode = "quick" if a.quick else "short" if a.short else "full"
    runs = [run_workload(n, envs, mode) for n in names]
    RESULTS.mkdir(exist_ok=True)
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%S")
    png = RESULTS / f"summary-{stamp}.png"
    text = markdown(runs, envs, mode, stamp, png.name if plot(runs, png) else None)
    md = RESULTS / f"summary-{stamp}.md"
    md.write_text(text)
    table_end = text.index("## Runs")
    print("\n" + text[:table_end].rstrip())
    print(_public(f"\nsummary: {md}" + (f", plot: {png}" if png.exists() else "")))
    return 0 if all(r["status"] in ("ok", "skipped") for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
