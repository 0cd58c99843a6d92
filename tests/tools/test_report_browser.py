"""The HTML run report in a real headless Chromium (Debian's ``chromium``, driven by Playwright).

No browser is downloaded: Playwright launches ``/usr/bin/chromium``. Without it (or without Playwright)
these tests skip, unless ``CALDERA_REQUIRE_BROWSER=1`` (set by ``nox -s tests``, which installs both).
"""

from __future__ import annotations

import os
import pathlib
import re

import caldera
import numpy as np
import pytest
from caldera import (
    AbstractSubProcessModel,
    InPort,
    LoihiProtocol,
    OutPort,
    Process,
    RunConfig,
    RunSteps,
    Var,
    implements,
)
from caldera.procs import LIF, Dense, Monitor

CHROMIUM = "/usr/bin/chromium"
pytest.importorskip("matplotlib")


def _need_browser():
    missing = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package (pip install playwright, with PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1)")
    if not pathlib.Path(CHROMIUM).exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    if missing:
        why = "needs " + " and ".join(missing)
        if os.environ.get("CALDERA_REQUIRE_BROWSER") == "1":
            pytest.fail(why)
        pytest.skip(why)


class Layer(Process):
    """A hierarchical process: Dense + LIF inside."""

    def __init__(self, n, name=None):
        super().__init__(n=n, name=name)
        self.s_in = InPort(shape=(n,))
        self.s_out = OutPort(shape=(n,))
        self.v = Var(shape=(n,), init=0)


@implements(proc=Layer, protocol=LoihiProtocol)
class SubLayer(AbstractSubProcessModel):
    def __init__(self, proc):
        n = proc.proc_params["n"]
        self.dense = Dense(weights=np.eye(n, dtype=int) * 60, name=f"{proc.name}_w")
        self.lif = LIF(shape=(n,), du=409, dv=409, vth=100, name=f"{proc.name}_lif")
        proc.s_in.connect(self.dense.s_in)
        self.dense.a_out.connect(self.lif.a_in)
        self.lif.s_out.connect(proc.s_out)
        proc.v.alias(self.lif.v)


def network(n=12, steps=80):
    src = LIF(shape=(n,), du=409, dv=409, vth=100, bias_mant=np.arange(60, 60 + 10 * n, 10), bias_exp=6, name="src")
    layer = Layer(n, name="hidden")
    readout = Dense(weights=np.ones((n, n), dtype=int) * 20, name="readout")
    out = LIF(shape=(3, n // 3), du=409, dv=409, vth=100, name="out")
    src.s_out.connect(layer.s_in)
    layer.s_out.connect(readout.s_in)
    readout.a_out.reshape((3, n // 3)).connect(out.a_in)
    mon = Monitor(name="mon")
    mon.probe(src.s_out, steps)
    mon.probe(out.s_out, steps)
    mon.probe(layer.v, steps)
    return src, layer, out, mon


@pytest.fixture
def page():
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            pg = browser.new_page(viewport={"width": 1400, "height": 1000})
            pg.caldera_errors = []
            pg.caldera_requests = []
            pg.on("console", lambda m: pg.caldera_errors.append(m.text) if m.type == "error" else None)
            pg.on("pageerror", lambda e: pg.caldera_errors.append(str(e)))
            pg.on("request", lambda r: pg.caldera_requests.append(r.url))
            yield pg
        finally:
            browser.close()


def test_report_in_chromium(page, tmp_path):
    steps = 80
    src, layer, out, mon = network(steps=steps)
    src.run(RunSteps(steps), RunConfig(backend="cpu", tag="fixed_pt", profile=True))
    data = mon.get_data()
    expected = {"src": int(np.count_nonzero(data["src"]["s_out"])), "out": int(np.count_nonzero(data["out"]["s_out"]))}
    assert all(v > 0 for v in expected.values())
    path = mon.report(tmp_path / "new folder" / "report.html")
    hidden_w = layer.sub_procs["dense"] if "dense" in layer.sub_procs else next(iter(layer.sub_procs.values()))
    src.stop()
    text = path.read_text()
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=[\"']https?:", text)  # nothing from a CDN

    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    # offline: the page asked for nothing but itself (and inline data)
    assert [u for u in page.caldera_requests if not u.startswith(("file:", "data:"))] == []
    assert page.caldera_errors == []

    # the raster's ticks, counted in the page, equal the Monitor's spikes
    figures = page.locator("figure.raster")
    assert figures.count() == 2
    for k in range(figures.count()):
        fig = figures.nth(k)
        proc = fig.get_attribute("data-process")
        gid = fig.get_attribute("data-gid")
        drawn = page.locator(f"g#{gid} use").count()
        assert drawn == expected[proc] == int(fig.get_attribute("data-spikes")), proc
    assert page.locator("figure.trace").count() == 1  # hidden.v

    # profiler table rendered with every executed process
    table_text = page.locator("#profile table.profile").inner_text()
    for name in ("src", "readout", "out", "mon", hidden_w.name):
        assert name in table_text

    # the hierarchical process starts collapsed; a click on it expands it
    child = page.locator(f"#node-{hidden_w.id}")
    tree_child = page.locator(f'li.leaf[data-id="{hidden_w.id}"]')
    assert not child.is_visible() and not tree_child.is_visible()
    page.locator(f"#toggle-{layer.id}").click()
    assert child.is_visible() and tree_child.is_visible()
    page.locator(f"#toggle-{layer.id}").click()
    assert not child.is_visible()
    page.locator(f"#frame-{layer.id} rect").click()  # the frame in the drawing works too
    assert child.is_visible()
    assert page.caldera_errors == []

    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000


def test_network_view_page_in_chromium(page, tmp_path):
    src, layer, out, mon = network()
    path = caldera.view(src, tmp_path / "declared.html").to_html()  # not compiled: drawn as declared
    assert "Not compiled yet" in path
    src.compile(RunConfig(backend="cpu", tag="fixed_pt"))
    v = caldera.view(src)
    f = v.save(tmp_path / "views" / "net.html")
    page.goto(f.as_uri())
    page.wait_for_load_state("load")
    assert page.caldera_errors == []
    leaves = [p for p in v.procs.values() if not p.sub_procs]
    assert page.locator("g.node").count() == len(leaves)
    inner = [c for c in layer.sub_procs.values()]
    assert inner and all(not page.locator(f"#node-{c.id}").is_visible() for c in inner)
    page.locator(f"#frame-{layer.id} rect").click()
    assert all(page.locator(f"#node-{c.id}").is_visible() for c in inner)
    page.screenshot(path=str(tmp_path / "view.png"))
    src.stop()
