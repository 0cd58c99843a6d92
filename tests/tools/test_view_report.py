"""Network views, plots and the run report without a browser: content, files, bad input, the CLI."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET

import caldera
import numpy as np
import pytest
from caldera import RunConfig, RunSteps
from caldera.errors import ParameterError
from caldera.procs import LIF, Dense, Monitor, Sparse

from tests.tools.test_report_browser import network

pytest.importorskip("matplotlib")
SVG = "{http://www.w3.org/2000/svg}"


def test_view_of_a_compiled_network():
    src, layer, out, mon = network()
    src.compile(RunConfig(backend="cpu", tag="fixed_pt"))
    v = caldera.view(src)
    d = v.to_dict()
    names = {n["name"]: n for n in d["nodes"]}
    assert set(names) == {"src", "hidden", "hidden_w", "hidden_lif", "readout", "out", "mon"}
    assert names["hidden"]["children"] and names["hidden_w"]["parent"] == layer.id
    assert names["hidden_lif"]["backend"] == "cpu" and names["hidden_lif"]["partition"] == 0
    assert names["readout"]["weights"] == {
        "storage": "dense",
        "shape": "12×12",
        "nonzero": 144,
        "total": 144,
        "min": 20.0,
        "max": 20.0,
        "mean": 20.0,
    }
    assert names["out"]["shape"] == "3×4"
    edges = {(v.procs[e["src"]].name, v.procs[e["dst"]].name, e["kind"]): e for e in d["edges"]}
    assert edges[("readout", "out", "message")]["via"] == ("reshape→3×4",)
    assert ("hidden", "mon", "ref") in edges  # the probe reads hidden.v
    assert ("src", "hidden", "message") in edges and ("hidden", "hidden_w", "hierarchy") in edges
    root = ET.fromstring(v.to_svg())
    nodes = [g for g in root.iter(f"{SVG}g") if g.get("class") == "node"]
    assert len(nodes) == 6  # the leaves; the hierarchical process is a frame
    # boxes never overlap
    boxes = [tuple(float(r.get(k)) for k in ("x", "y", "width", "height")) for g in nodes for r in g.iter(f"{SVG}rect")]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert a[0] + a[2] <= b[0] or b[0] + b[2] <= a[0] or a[1] + a[3] <= b[1] or b[1] + b[3] <= a[1]
    # a frame contains its children
    fx, fy, fw, fh = v.pos[layer.id]
    for c in layer.sub_procs.values():
        x, y, w, h = v.pos[c.id]
        assert fx <= x and x + w <= fx + fw and fy <= y and y + h <= fy + fh
    dot = v.to_dot()
    assert "subgraph cluster_" in dot and "reshape" in dot
    src.stop()


def test_view_of_a_network_never_compiled_says_what_to_do(tmp_path):
    src, layer, out, mon = network()
    v = caldera.view(src, tmp_path / "a" / "b" / "net.svg")
    assert (tmp_path / "a" / "b" / "net.svg").exists()
    assert not v.compiled and src.runtime is None  # nothing compiled behind the user's back
    info = {n["name"]: n for n in v.to_dict()["nodes"]}
    assert "after proc.compile" in info["hidden"]["note"]
    assert "not compiled" in v.to_svg()
    assert "Not compiled yet" in v.to_html()


def test_view_sparse_weights_and_png(tmp_path):
    pytest.importorskip("scipy")
    from scipy import sparse

    a = LIF(shape=(5,), name="a")
    w = sparse.csr_matrix(np.array([[0, 1.5, 0, 0, 0], [0, 0, 0, -2.0, 0], [0, 0, 0, 0, 0]]))
    s = Sparse(weights=w, name="s")
    b = LIF(shape=(3,), name="b")
    a.s_out.connect(s.s_in)
    s.a_out.connect(b.a_in)
    v = caldera.view(a)
    ws = {n["name"]: n for n in v.to_dict()["nodes"]}["s"]["weights"]
    assert ws["storage"] == "sparse" and ws["nonzero"] == 2 and ws["min"] == -2.0 and ws["max"] == 1.5
    png = v.save(tmp_path / "n.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ParameterError, match=r"suffix must be \.svg, \.html, \.png or \.dot"):
        v.save(tmp_path / "n.jpg")
    with pytest.raises(ParameterError, match="needs a Process"):
        caldera.view("not a process")


def test_plots_count_and_validate():
    import matplotlib.pyplot as plt
    from caldera import plot

    spikes = np.zeros((20, 4))
    spikes[[1, 3, 3, 7], [0, 1, 2, 3]] = 1
    ax = plot.raster(spikes)
    (line,) = ax.lines
    assert len(line.get_xdata()) == 4 and list(line.get_xdata()) == [2, 4, 4, 8]  # steps count from 1
    ax = plot.rates(spikes, window=2)
    assert np.isclose(ax.lines[0].get_ydata().max(), 0.25)
    ax = plot.voltage(np.arange(40.0).reshape(20, 2), neurons=[1])
    assert len(ax.lines) == 1
    plt.close("all")
    with pytest.raises(ParameterError, match="window must be an int >= 1"):
        plot.rates(spikes, window=0)
    with pytest.raises(ParameterError, match=r"neuron indices must be in 0\.\.1"):
        plot.voltage(np.zeros((3, 2)), neurons=[5])
    with pytest.raises(ParameterError, match="give a Monitor"):
        plot.raster(42)


def test_plots_from_a_monitor():
    import matplotlib.pyplot as plt
    from caldera import plot

    src, layer, out, mon = network(steps=30)
    src.run(RunSteps(30), RunConfig(backend="cpu", tag="fixed_pt"))
    ax = plot.raster(mon, out)
    assert len(ax.lines[0].get_xdata()) == np.count_nonzero(mon.get_data()["out"]["s_out"])
    with pytest.raises(ParameterError, match="say which with proc="):
        plot.raster(mon)
    with pytest.raises(ParameterError, match="did not probe 'readout'"):
        plot.raster(mon, "readout")
    with pytest.raises(ParameterError, match="not 'u'"):
        plot.voltage(mon, "hidden", member="u")
    plt.close("all")
    src.stop()


def test_report_bad_input(tmp_path):
    src, layer, out, mon = network()
    with pytest.raises(ParameterError, match="never compiled or run.*caldera.view"):
        mon.report(tmp_path / "r.html")
    with pytest.raises(ParameterError, match="needs a process"):
        caldera.report(None, tmp_path / "r.html")
    src.run(caldera.RunContinuous(), RunConfig(backend="cpu", tag="fixed_pt"))
    try:
        with pytest.raises(ParameterError, match=r"running; pause\(\) or wait\(\)"):
            caldera.report(src, tmp_path / "r.html")
    finally:
        src.pause()
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ParameterError, match="cannot create the folder"):
        caldera.report(src, blocker / "sub" / "r.html")
    src.stop()


def test_report_content_without_profile_and_loihi(tmp_path):
    pytest.importorskip("caldera_loihi")
    a = LIF(shape=(6,), du=409, dv=409, vth=100, bias_mant=np.full(6, 120), bias_exp=6, name="a")
    d = Dense(weights=np.full((4, 6), 30), name="d")
    b = LIF(shape=(4,), du=409, dv=409, vth=100, name="b")
    a.s_out.connect(d.s_in)
    d.a_out.connect(b.a_in)
    mon = Monitor(name="m")
    mon.probe(b.s_out, 25)
    a.run(RunSteps(25), RunConfig(backend="loihi", tag="fixed_pt"))
    page = mon.report(tmp_path / "r.html").read_text()
    import caldera_loihi

    cores = caldera_loihi.report(a).cores_used
    a.stop()
    assert "This run was not profiled" in page
    assert 'id="loihi"' in page and "Core map" in page and "energy_pj" in page
    assert cores >= 2 and len(re.findall(r'class="core"', page)) == cores
    fig = re.search(r'<figure class="raster"[^>]*data-spikes="(\d+)"', page)
    assert int(fig.group(1)) == np.count_nonzero(mon.get_data()["b"]["s_out"])
    # the population's rate over time is drawn under its raster: a second axes with its curve
    body = re.search(r'<figure class="raster".*?</figure>', page, re.S).group(0)
    assert re.findall(r'<g id="(axes_\d+)"', body) == ["axes_1", "axes_2"]
    assert re.search(r'<g id="axes_2">.*?<g id="line2d_\d+">\s*<path d="M [^"]+L ', body, re.S)


SCRIPT = """
import numpy as np
import caldera
from caldera.procs import LIF, Dense, Monitor
a = LIF(shape=(5,), du=409, dv=409, vth=100, bias_mant=np.full(5, 120), bias_exp=6, name="a")
d = Dense(weights=np.full((5, 5), 30), name="d")
b = LIF(shape=(5,), du=409, dv=409, vth=100, name="b")
a.s_out.connect(d.s_in)
d.a_out.connect(b.a_in)
m = Monitor(name="m")
m.probe(b.s_out, 20)
a.run(caldera.RunSteps(20), caldera.RunConfig(backend="cpu", tag="fixed_pt"))
a.stop()
"""


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "caldera.cli", *map(str, args)], capture_output=True, text=True, timeout=180
    )


def test_view_and_report_commands(tmp_path):
    script = tmp_path / "net.py"
    script.write_text(textwrap.dedent(SCRIPT))
    r = _cli("view", "-o", tmp_path / "v" / "net.svg", script)  # options before the script: the rest is its argv
    assert r.returncode == 0, r.stderr
    ET.parse(tmp_path / "v" / "net.svg")
    r = _cli("report", "-o", tmp_path / "r" / "report.html", script)
    assert r.returncode == 0, r.stderr
    page = (tmp_path / "r" / "report.html").read_text()
    assert 'id="profile"' in page and "not profiled" not in page and "d.a_out-&gt;b.a_in" in page
    # a saved network
    a = LIF(shape=(3,), name="x")
    dd = Dense(weights=np.eye(3), name="y")
    a.s_out.connect(dd.s_in)
    caldera.save(a, tmp_path / "saved.npz")
    r = _cli("view", "-o", tmp_path / "saved.html", tmp_path / "saved.npz")
    assert r.returncode == 0, r.stderr
    assert "<svg" in (tmp_path / "saved.html").read_text()
    r = _cli("view", tmp_path / "nope.npz")
    assert r.returncode == 2 and "no such file" in r.stderr
    empty = tmp_path / "empty.py"
    empty.write_text("x = 1\n")
    r = _cli("report", "-o", tmp_path / "empty.html", empty)
    assert r.returncode == 2 and "built no network" in r.stderr


def test_profile_json_is_plain():
    src, layer, out, mon = network(steps=10)
    with caldera.profile() as prof:
        src.run(RunSteps(10), RunConfig(backend="cpu", tag="fixed_pt"))
    src.stop()
    d = json.loads(prof.to_json())
    assert d["format"] == "caldera-profile-1" and d["partitions"][0]["steps"] == 10


def test_view_conv_kernel_statistics():
    from caldera.procs import Conv

    a = LIF(shape=(4, 4, 1), name="a")
    kernel = np.zeros((2, 3, 3, 1))
    kernel[0, :, :, 0] = [[1, 0, -3], [0, 2, 0], [0, 0, 4]]
    kernel[1, 1, 1, 0] = 6
    c = Conv(weight=kernel, input_shape=(4, 4, 1), name="c")
    b = LIF(shape=c.output_shape, name="b")
    a.s_out.connect(c.s_in)
    c.a_out.connect(b.a_in)
    v = caldera.view(a)
    info = {n["name"]: n for n in v.to_dict()["nodes"]}
    assert info["c"]["class"] == "Conv"
    assert info["c"]["ports"] == [
        {"name": "s_in", "kind": "InPort", "shape": "4×4×1"},
        {"name": "a_out", "kind": "OutPort", "shape": "2×2×2"},
    ]
    assert info["c"]["weights"] == {
        "storage": "kernel",
        "shape": "2×3×3×1",
        "nonzero": 5,
        "total": 18,
        "min": -3.0,
        "max": 6.0,
        "mean": 2.0,
    }
    assert "kernel 2×3×3×1 nz 28% [-3, 6]" in v.to_svg()
    assert info["a"]["weights"] is None


def test_report_draws_a_large_raster_as_a_picture(tmp_path, monkeypatch):
    import base64

    from caldera import run_report

    monkeypatch.setattr(run_report, "MAX_SVG_SPIKES", 5)
    src, layer, out, mon = network(steps=40)
    src.run(RunSteps(40), RunConfig(backend="cpu", tag="fixed_pt"))
    counts = {p: int(np.count_nonzero(mon.get_data()[p]["s_out"])) for p in ("src", "out")}
    page = mon.report(tmp_path / "r.html").read_text()
    src.stop()
    assert min(counts.values()) > 5
    figs = re.findall(r'<figure class="raster" data-process="(\w+)"[^>]*data-spikes="(\d+)"[^>]*>(.*?)</figure>', page)
    assert {p: int(n) for p, n, _ in figs} == counts
    for _, _, body in figs:
        m = re.search(r'<img alt="raster of [^"]+" src="data:image/png;base64,([^"]+)">', body)
        assert m and base64.b64decode(m.group(1))[:8] == b"\x89PNG\r\n\x1a\n"
        assert "drawn as a picture: more than 5 spikes" in body
