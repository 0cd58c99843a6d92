"""W5: deep learning with caldera-dl — train, deploy, compare with snnTorch, run lava-dl's PilotNet SDNN.

    python benchmarks/w5_dl.py                 # all three parts (~5-10 min on a quiet 2-core machine)
    python benchmarks/w5_dl.py --parts digits  # or: snntorch, pilotnet

1. **digits**: scikit-learn's bundled 8x8 digits as rate-coded spike trains (20 steps), a 64-128-10 CUBA LIF
   network trained with caldera-dl (float), deployed as caldera processes: test accuracy of the torch model, of
   the ``floating_pt`` deployment on ``cpu`` and ``cython``, and of the ``fixed_pt`` deployment (a quantized
   copy with Loihi's 8-bit weights and fixed-point neurons, optionally fine-tuned ``--qat-epochs``) on ``cpu``,
   ``cython`` and ``loihi``, with the emulator's cores and energy estimate.
2. **snntorch**: training throughput (samples/s) of caldera-dl and snnTorch on the same network (snnTorch's
   ``Synaptic`` neuron is the same current-based LIF), data, batch size, time steps, optimizer and loss, in the
   same process, alternating epochs; median over epochs, and both final test accuracies.
3. **pilotnet**: lava-dl 0.6.0's PilotNet SDNN (netx fixture, fetched like the tests do) on ``cython`` and
   ``cpu``: steps/s over a stream of 20 recorded frames, median of ``--reps`` runs.
4. **ann**: ANN -> SNN for a CNN (Conv-ReLU-AvgPool-Conv-ReLU-AvgPool-Flatten-Linear) trained on the digits as
   images: accuracy of the ANN, of its sigma-delta conversion and of rate-coded conversions (20, 40, 100 steps)
   in torch and deployed (``floating_pt``) on ``cpu`` and ``cython``, with spikes/messages per sample.

Torch runs single-threaded for both libraries (these models are small; extra threads only contend). Figures go
to stdout and ``benchmarks/results/w5-<timestamp>.json``.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent
NRN = {"threshold": 1.0, "current_decay": 0.5, "voltage_decay": 0.1}


def _log(*a) -> None:
    print(*a, flush=True)


def _model(B):
    return B.Network(B.Dense(64, 128, NRN, weight_scale=2), B.Dense(128, 10, NRN, weight_scale=2), input_shape=(64,))


def part_digits(args) -> dict:
    import torch
    from caldera_dl import block as B
    from caldera_dl import data, deploy, train

    torch.manual_seed(0)
    xtr, ytr, xte, yte = data.digits(num_steps=args.steps)
    model = _model(B)
    clf = train.Classifier(model, loss="ce", lr=3e-3)
    t0 = time.perf_counter()
    clf.fit(xtr, ytr, epochs=args.epochs, batch_size=32, x_test=xte, y_test=yte, progress=not args.quiet, cosine=True)
    train_s = time.perf_counter() - t0
    acc_torch = clf.accuracy(xte, yte)
    _log(f"digits: trained {args.epochs} epochs in {train_s:.1f} s; torch test accuracy {acc_torch:.4f}")
    res = {"torch_accuracy": acc_torch, "train_seconds": train_s, "history": clf.history, "deployed": {}}
    if args.plots:
        clf.plot(str(ROOT / "results" / "w5_digits_curve.png"))

    def deployed(m, tag, backend):
        t = time.perf_counter()
        r = deploy.run(m, xte, tag=tag, backend=backend)
        pred = torch.from_numpy(r["output"]).sum(-1).argmax(1)
        acc = float((pred == yte).double().mean())
        secs = time.perf_counter() - t
        return acc, secs, r

    for backend in ("cpu", "cython"):
        acc, secs, r = deployed(model, "floating_pt", backend)
        res["deployed"][f"floating_pt/{backend}"] = {"accuracy": acc, "seconds": secs, "steps": r["steps"]}
        _log(
            f"  floating_pt on {backend:6s}: accuracy {acc:.4f} (loss {100 * (acc_torch - acc):+.2f} pt), "
            f"{r['steps']} steps in {secs:.1f} s"
        )
        if args.plots and backend == "cpu":
            train.plot_raster(
                r["output"][0],
                str(ROOT / "results" / "w5_digits_raster.png"),
                title="deployed output layer, first test sample",
            )

    q = B.quantized(model)
    acc_q0 = train.Classifier(q).accuracy(xte, yte)
    qclf = train.Classifier(q, loss="ce", lr=1e-3)
    if args.qat_epochs:
        qclf.fit(xtr, ytr, epochs=args.qat_epochs, batch_size=32, progress=not args.quiet, cosine=True)
    acc_q = qclf.accuracy(xte, yte)
    res.update(quantized_accuracy_before_finetune=acc_q0, quantized_accuracy=acc_q)
    _log(f"  quantized copy: accuracy {acc_q0:.4f} before, {acc_q:.4f} after {args.qat_epochs} epochs of fine-tuning")
    qd = q.double()
    for backend in ("cpu", "cython", "loihi"):
        acc, secs, r = deployed(qd, "fixed_pt", backend)
        entry = {"accuracy": acc, "seconds": secs, "steps": r["steps"]}
        line = (
            f"  fixed_pt on {backend:6s}: accuracy {acc:.4f} (loss {100 * (acc_torch - acc):+.2f} pt vs the float "
            f"network), {r['steps']} steps in {secs:.1f} s"
        )
        if backend == "loihi":
            import caldera
            import caldera_loihi
            from caldera.procs import RingBuffer

            # the report of a run of the first 20 test samples (the emulator reports the run just made)
            sub = xte[:20].double()
            net = deploy.to_processes(qd, "fixed_pt", input_shape=(64,), reset_interval=r["period"])
            stream = np.zeros((64, 20 * r["period"]), dtype=np.int32)
            for j in range(20):
                stream[:, j * r["period"] : j * r["period"] + args.steps] = sub[j].numpy()
            src = RingBuffer(data=stream)
            src.s_out.connect(net.inp)
            net.run(
                condition=caldera.RunSteps(num_steps=stream.shape[1]),
                run_cfg=caldera.RunConfig(backend="loihi", tag="fixed_pt"),
            )
            rep = caldera_loihi.report(net.out_layer.neuron)
            net.stop()
            tot = rep.totals()
            entry["loihi"] = {
                "cores": rep.cores_used,
                "energy_uJ_per_sample": tot["energy_pj"] / 20 / 1e6,
                "time_us_per_step": tot["time_ns_per_step_mean"] / 1e3,
                "spikes": tot["spikes"],
                "synops": tot["synops"],
            }
            line += (
                f"; loihi report: {rep.cores_used} cores, {tot['energy_pj'] / 20 / 1e6:.2f} uJ per sample "
                f"(estimate), {tot['time_ns_per_step_mean'] / 1e3:.2f} us per step"
            )
        res["deployed"][f"fixed_pt/{backend}"] = entry
        _log(line)
    return res


def part_snntorch(args) -> dict:
    import torch
    from caldera_dl import block as B
    from caldera_dl import data, train

    try:
        import snntorch as snn
    except ImportError:
        _log("snntorch: not installed (pip install snntorch), part skipped")
        return {"skipped": "snntorch not installed"}

    class SnnTorchNet(torch.nn.Module):
        """The same network in snnTorch's idiom: Linear + Synaptic (current-based LIF) per step, time first."""

        def __init__(self):
            super().__init__()
            self.fc1 = torch.nn.Linear(64, 128, bias=False)
            self.fc2 = torch.nn.Linear(128, 10, bias=False)
            a, b = 1 - NRN["current_decay"], 1 - NRN["voltage_decay"]
            self.l1 = snn.Synaptic(alpha=a, beta=b, threshold=NRN["threshold"], reset_mechanism="zero")
            self.l2 = snn.Synaptic(alpha=a, beta=b, threshold=NRN["threshold"], reset_mechanism="zero")

        def forward(self, x):  # x: (batch, 64, T) -> (batch, 10, T)
            syn1, mem1 = self.l1.init_synaptic()
            syn2, mem2 = self.l2.init_synaptic()
            out = []
            for t in range(x.shape[-1]):
                s1, syn1, mem1 = self.l1(self.fc1(x[..., t]), syn1, mem1)
                s2, syn2, mem2 = self.l2(self.fc2(s1), syn2, mem2)
                out.append(s2)
            return torch.stack(out, -1)

    torch.manual_seed(0)
    xtr, ytr, xte, yte = data.digits(num_steps=args.steps)
    ours = _model(B)
    theirs = SnnTorchNet()
    with torch.no_grad():  # same initial weights
        theirs.fc1.weight.copy_(ours.blocks[0].synapse.weight)
        theirs.fc2.weight.copy_(ours.blocks[1].synapse.weight)
    c_ours = train.Classifier(ours, loss="ce", lr=3e-3)
    c_theirs = train.Classifier(theirs, loss="ce", lr=3e-3)
    for _ in range(args.epochs):  # alternate epochs so both see the same machine load
        c_ours.fit(xtr, ytr, epochs=1, batch_size=32, progress=False, seed=len(c_ours.history))
        c_theirs.fit(xtr, ytr, epochs=1, batch_size=32, progress=False, seed=len(c_theirs.history))
    sps_ours = statistics.median(h["samples_per_s"] for h in c_ours.history)
    sps_theirs = statistics.median(h["samples_per_s"] for h in c_theirs.history)
    acc_ours, acc_theirs = c_ours.accuracy(xte, yte), c_theirs.accuracy(xte, yte)
    _log(
        f"training throughput, 64-128-10 CUBA LIF, batch 32, {args.steps} steps, {args.epochs} epochs each "
        f"(median samples/s): caldera-dl {sps_ours:.0f}, snnTorch {snn.__version__} {sps_theirs:.0f}, "
        f"ratio {sps_ours / sps_theirs:.2f}; test accuracy {acc_ours:.4f} vs {acc_theirs:.4f}"
    )
    return {
        "caldera_dl_samples_per_s": sps_ours,
        "snntorch_samples_per_s": sps_theirs,
        "ratio": sps_ours / sps_theirs,
        "caldera_dl_accuracy": acc_ours,
        "snntorch_accuracy": acc_theirs,
        "snntorch_version": snn.__version__,
        "per_epoch": {
            "caldera_dl": [h["samples_per_s"] for h in c_ours.history],
            "snntorch": [h["samples_per_s"] for h in c_theirs.history],
        },
    }


def part_ann(args) -> dict:
    import torch
    from caldera_dl import ann
    from sklearn.datasets import load_digits
    from torch import nn

    d = load_digits()
    x = torch.tensor(d.data / 16, dtype=torch.float32).view(-1, 1, 8, 8)
    y = torch.tensor(d.target)
    perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(0))
    x, y = x[perm], y[perm]
    xtr, ytr, xte, yte = x[360:], y[360:], x[:360], y[:360]
    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.AvgPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.AvgPool2d(2),
        nn.Flatten(), nn.Linear(64, 10),
    )  # fmt: skip
    opt = torch.optim.Adam(net.parameters(), 1e-2)
    for _ in range(max(args.epochs // 2, 3)):
        for i in range(0, len(xtr), 64):
            loss = nn.functional.cross_entropy(net(xtr[i : i + 64]), ytr[i : i + 64])
            opt.zero_grad()
            loss.backward()
            opt.step()
    net.eval()
    n_dep = 60 if args.epochs <= 5 else len(xte)
    res = {"deploy_samples": n_dep}
    convs = {"sdnn": ann.convert(net, input_shape=(1, 8, 8), mode="sdnn")}
    for steps in (20, 40, 100):
        convs[f"rate-{steps}"] = ann.convert(net, input_shape=(1, 8, 8), mode="rate", num_steps=steps, calibration=xtr)
    for name, conv in convs.items():
        row = {}
        for backend in ("cpu", "cython"):
            rep = ann.report(net, conv, xte, yte, backend=backend, deploy_samples=n_dep)
            row.update(ann=rep.ann_accuracy, snn=rep.snn_accuracy, activity=rep.activity_per_sample)
            row[backend] = rep.deployed_accuracy
        res[name] = row
        _log(
            f"ann {name}: ANN {row['ann']:.4f}, SNN {row['snn']:.4f}, deployed cpu {row['cpu']:.4f} / cython "
            f"{row['cython']:.4f} ({n_dep} samples), {row['activity']:.0f} spikes/messages per sample"
        )
    return res


def _pilotnet_folder() -> pathlib.Path | None:
    sys.path.insert(0, str(ROOT.parent / "tests" / "dl"))
    try:
        from conftest import _fetch  # the tests' one-time download into the cache (the module imports pytest)
    except ImportError as e:
        _log(f"pilotnet: the fixture download lives in tests/dl/conftest.py, which needs {e.name} (pip install pytest)")
        return None
    finally:
        sys.path.pop(0)
    got = _fetch()
    if isinstance(got, str):
        _log(f"pilotnet: {got}")
        return None
    return got


def part_pilotnet(args) -> dict:
    import caldera
    from caldera.procs import RingBuffer
    from caldera_dl import netx

    folder = _pilotnet_folder()
    if folder is None:
        _log("pilotnet: lava-dl 0.6.0 could not be fetched; part skipped")
        return {"skipped": "fixture unavailable"}
    frames = (np.load(folder / "gts/pilotnet_sdnn/act0.npy") / 64).astype(np.int32)  # (100, 33, 3, 20) frames
    res = {}
    for backend in ("cython", "cpu"):
        rates = []
        for _ in range(args.reps):
            net = netx.read(folder / "gts/pilotnet_sdnn/network.net")
            src = RingBuffer(data=frames)
            src.s_out.connect(net.in_layer.neuron.a_in)
            cfg = caldera.RunConfig(backend=backend, tag="fixed_pt")
            net.run(condition=caldera.RunSteps(num_steps=1), run_cfg=cfg)  # compile and first step
            t = time.perf_counter()
            net.run(condition=caldera.RunSteps(num_steps=args.pilot_steps), run_cfg=cfg)
            rates.append(args.pilot_steps / (time.perf_counter() - t))
            net.stop()
        res[backend] = {"steps_per_s_median": statistics.median(rates), "runs": rates}
    ratio = res["cython"]["steps_per_s_median"] / res["cpu"]["steps_per_s_median"]
    res["cython_over_cpu"] = ratio
    _log(
        f"PilotNet SDNN (netx fixture, fixed_pt, {args.pilot_steps} steps, median of {args.reps}): "
        f"cython {res['cython']['steps_per_s_median']:.1f} steps/s, cpu {res['cpu']['steps_per_s_median']:.1f} "
        f"steps/s, ratio {ratio:.2f}"
    )
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--parts", default="digits,snntorch,pilotnet,ann")
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--qat-epochs", type=int, default=0, help="fine-tune the quantized copy this many epochs")
    ap.add_argument("--steps", type=int, default=20, help="time steps per digit")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--pilot-steps", type=int, default=200)
    ap.add_argument("--plots", action="store_true", help="write the training curve and a raster to results/")
    ap.add_argument("--quiet", action="store_true", help="no progress bars")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    (ROOT / "results").mkdir(exist_ok=True)
    results = {"args": vars(args)}
    for part in args.parts.split(","):
        fn = {"digits": part_digits, "snntorch": part_snntorch, "pilotnet": part_pilotnet, "ann": part_ann}.get(
            part.strip()
        )
        if fn is None:
            ap.error(f"unknown part {part!r}")
        results[part.strip()] = fn(args)
    out = pathlib.Path(args.out) if args.out else ROOT / "results" / f"w5-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=1, default=float))
    _log(f"results: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
