"""``caldera.report(proc, path)`` / ``monitor.report(path)``: one self-contained HTML file about a run.

The page holds the network view (collapsible hierarchy), a spike raster and the population rate of
every probed OutPort, traces of every probed Var, the profiler's tables (when the run was profiled),
and, for networks on the ``loihi`` emulator, its core map and energy estimate. Everything is inline
(SVG drawn by matplotlib, CSS, a small script): the file opens offline, with no CDN or other file.

Each raster's ticks are one SVG group (``g#spikes-<process>``, one ``<use>`` per spike) and its figure
carries ``data-spikes`` with the Monitor's count, so a browser (and the test suite) can check one
against the other.
"""

from __future__ import annotations

import datetime as _dt
import html
import io
import pathlib
import re
import typing as ty

import numpy as np

from caldera.errors import ParameterError

#: above this many spikes a raster is embedded as a PNG picture instead of one SVG element per spike
MAX_SVG_SPIKES = 60_000


def _esc(s: ty.Any) -> str:
    return html.escape(str(s), quote=True)


_FIGURES = [0]


def _svg(fig: ty.Any) -> str:
    """A figure as inline SVG: no XML prolog or metadata, ids unique within the page."""
    import matplotlib

    _FIGURES[0] += 1
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": f"caldera-report-{_FIGURES[0]}", "svg.fonttype": "path"}):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    return re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)


def _png_img(fig: ty.Any, alt: str) -> str:
    import base64

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    return f'<img alt="{_esc(alt)}" src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}">'


def _monitors(rt: ty.Any) -> list:
    from caldera.procs.monitor import Monitor

    return [p for p in rt.net.processes if isinstance(p, Monitor)]


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)


def report(
    target: ty.Any,
    path: str | pathlib.Path,
    profiler: ty.Any = None,
    title: str | None = None,
) -> pathlib.Path:
    """Write the run report of the network ``target`` (any of its processes, e.g. a Monitor) to ``path``.

    ``profiler``: a :class:`caldera.profiler.Profiler` whose tables to include (default: the network's own,
    from ``RunConfig(profile=True)``). The network must have been compiled (run it, or ``proc.compile()``);
    a path in a missing folder is created.
    """
    from caldera.netview import VIEW_CSS, VIEW_JS, NetworkView
    from caldera.process import Process

    if not isinstance(target, Process):
        raise ParameterError(
            f"caldera.report needs a process of the network (or its Monitor), got {type(target).__name__}"
        )
    rt = target.runtime
    if rt is None:
        raise ParameterError(
            f"{target.name}: the network was never compiled or run, so there is nothing to report yet; "
            "run it first (proc.run(...)), or use caldera.view(proc) to draw it as declared"
        )
    if rt.state == "running":
        raise ParameterError(f"{target.name}: the network is running; pause() or wait() before writing a report")
    p = pathlib.Path(path)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ParameterError(f"cannot create the folder {str(p.parent)!r} for the report: {e}") from e
    from caldera.plot import _pyplot

    plt = _pyplot()
    prof = profiler if profiler is not None else rt.profiler
    net = rt.net
    root = net.leaves[0]
    t = _esc(title or f"Caldera run report: {root.name}")
    sections: list[str] = []

    parts = ", ".join(f"{len(pt.ids)} processes on {pt.backend.name}" for pt in net.partitions)
    sections.append(
        '<section id="summary"><h2>Run</h2><table class="kv">'
        f"<tr><th>steps run</th><td>{rt.time_step}</td></tr>"
        f"<tr><th>backend</th><td>{_esc(rt.backend)}</td></tr>"
        f"<tr><th>partitions</th><td>{len(net.partitions)} ({_esc(parts)})</td></tr>"
        f"<tr><th>processes</th><td>{len(net.leaves)} executed, {len(net.processes)} in all</td></tr>"
        f"<tr><th>state</th><td>{_esc(rt.state)}</td></tr>"
        f"<tr><th>written</th><td>{_dt.datetime.now().isoformat(timespec='seconds')}</td></tr></table></section>"
    )
    sections.append(f'<section id="network"><h2>Network</h2>{NetworkView(target).html_fragment()}</section>')

    from caldera import plot

    spikes_html, traces_html = [], []
    for mon in _monitors(rt):
        data = mon.get_data()
        probes = mon.proc_params["probes"]
        for kind, _port, _data, pname, member in probes:
            arr = np.asarray(data[pname][member])
            if kind == "port":
                flat = arr.reshape(arr.shape[0], -1)
                count = int(np.count_nonzero(flat))
                fig, (ax1, ax2) = plt.subplots(
                    2, 1, figsize=(8, 4.2), sharex=True, gridspec_kw={"height_ratios": [2.2, 1]}
                )
                gid = f"spikes-{_slug(pname)}-{_slug(member)}"
                plot.raster(flat, f"{pname}.{member}", ax=ax1, gid=gid)
                plot.rates(flat, f"{pname}.{member}", window=max(1, min(10, flat.shape[0] // 10 or 1)), ax=ax2)
                ax1.set_xlabel("")
                if count > MAX_SVG_SPIKES:
                    body = _png_img(fig, f"raster of {pname}.{member}")
                    note = f" (drawn as a picture: more than {MAX_SVG_SPIKES} spikes)"
                else:
                    body, note = _svg(fig), ""
                plt.close(fig)
                spikes_html.append(
                    f'<figure class="raster" data-process="{_esc(pname)}" data-member="{_esc(member)}" '
                    f'data-spikes="{count}" data-gid="{gid}">{body}<figcaption>{_esc(pname)}.{_esc(member)}: '
                    f"{count} spikes over {flat.shape[0]} steps, {flat.shape[1]} neurons{note}</figcaption></figure>"
                )
            else:
                fig, ax = plt.subplots(figsize=(8, 2.8))
                plot.voltage(arr, f"{pname}.{member}", member=member, ax=ax)
                traces_html.append(
                    f'<figure class="trace" data-process="{_esc(pname)}" data-member="{_esc(member)}">{_svg(fig)}'
                    f"<figcaption>{_esc(pname)}.{_esc(member)}</figcaption></figure>"
                )
                plt.close(fig)
    if not spikes_html and not traces_html:
        spikes_html.append(
            '<p class="note">No Monitor in this network: probe OutPorts (spikes) and Vars (voltages) with '
            "<code>caldera.procs.Monitor</code> before the first run to see them here.</p>"
        )
    sections.append(f'<section id="spikes"><h2>Spikes and rates</h2>{"".join(spikes_html)}</section>')
    if traces_html:
        sections.append(f'<section id="traces"><h2>Traces</h2>{"".join(traces_html)}</section>')
    sections.append(_profile_section(prof))
    loihi = _loihi_section(rt)
    if loihi:
        sections.append(loihi)
    page = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{t}</title>'
        f"<style>{VIEW_CSS}{REPORT_CSS}</style></head><body><h1>{t}</h1>"
        f"<nav>{' · '.join(f'<a href=#{s}>{s}</a>' for s in re.findall(r'<section id=.([a-z]+)', ''.join(sections)))}"
        f"</nav>{''.join(sections)}<script>{VIEW_JS}</script></body></html>"
    )
    p.write_text(page, encoding="utf-8")
    return p


def _profile_section(prof: ty.Any) -> str:
    if prof is None or not prof.processes:
        return (
            '<section id="profile"><h2>Profile</h2><p class="note">This run was not profiled: compile it with '
            "<code>RunConfig(profile=True)</code>, run it inside <code>with caldera.profile() as prof</code> and "
            "pass <code>profiler=prof</code>, or use <code>caldera report script.py</code>.</p></section>"
        )
    from caldera.profiler import PHASES

    head = "".join(f"<th>{h}</th>" for h in ["process", "class", "partition", "time s", "%", "µs/step"])
    head += "".join(f"<th>{ph} µs</th>" for ph in PHASES) + "<th>spikes/step</th><th>synops/step</th>"
    rows = []
    for r in prof.rows():
        if r["compiled"]:
            rows.append(
                f"<tr><td>{_esc(r['process'])}</td><td>{_esc(r['class'])}</td><td>{r['partition']}</td>"
                f"<td colspan='{4 + len(PHASES) + 2}'>in a compiled loop: no per-process figures</td></tr>"
            )
            continue
        spk = "-" if r["spikes_per_step"] is None else f"{r['spikes_per_step']:.1f}"
        syn = "-" if r["synops_per_step"] is None else f"{r['synops_per_step']:.1f}"
        rows.append(
            f"<tr><td>{_esc(r['process'])}{'*' if r['fused'] else ''}</td><td>{_esc(r['class'])}</td><td>{r['partition']}</td>"
            f"<td>{r['time_s']:.4f}</td><td>{100 * r['share']:.1f}</td><td>{r['us_per_step']:.2f}</td>"
            + "".join(f"<td>{r['phase_us_per_step'][ph]:.2f}</td>" for ph in PHASES)
            + f"<td>{spk}</td><td>{syn}</td></tr>"
        )
    chans = "".join(
        f"<tr><td>{_esc(c['channel'])}</td><td>{c['messages']}</td><td>{c['bytes']}</td></tr>" for c in prof.channels()
    )
    parts = "".join(
        f"<tr><td>{p['partition']}</td><td>{_esc(p['backend'])}</td><td>{p['steps']}</td><td>{p['wall_s']:.3f}</td>"
        f"<td>{p['steps_per_s']:,.0f}</td><td>{p['in_models_s']:.3f}</td><td>{p['channel_wait_s']:.3f}</td></tr>"
        for p in prof.partition_rows()
    )
    return (
        f'<section id="profile"><h2>Profile</h2><p>{prof.runs} run(s), {prof.steps} steps, '
        f"{prof.wall_ns / 1e9:.3f} s.</p><table class='data profile'><tr>{head}</tr>{''.join(rows)}</table>"
        + (
            "<p><small>* stepped in one fused call with others of its kind; the call's time is shared by size</small></p>"
            if any(r["fused"] for r in prof.rows())
            else ""
        )
        + f"<h3>Channels</h3><table class='data'><tr><th>channel</th><th>messages</th><th>bytes</th></tr>{chans}</table>"
        "<h3>Partitions</h3><table class='data'><tr><th>partition</th><th>backend</th><th>steps</th><th>wall s</th>"
        f"<th>steps/s</th><th>in models s</th><th>channel wait s</th></tr>{parts}</table></section>"
    )


def _loihi_section(rt: ty.Any) -> str:
    """The emulator's core map and energy (duck-typed: an executor whose ``report()`` has ``cores``/``totals``)."""
    rep_fn = getattr(rt.executor, "report", None)
    if not callable(rep_fn):
        return ""
    try:
        rep = rep_fn()
        tot = rep.totals()
        cores = list(rep.cores)
    except Exception as e:  # noqa: BLE001 - the rest of the report stays useful
        return f'<section id="loihi"><h2>Loihi emulator</h2><p class="note">no activity report: {_esc(e)}</p></section>'
    names = sorted({str(c.get("process", "?")) for c in cores})
    colour = {n: f"hsl({(i * 67) % 360},70%,80%)" for i, n in enumerate(names)}
    cells = "".join(
        f'<div class="core" style="background:{colour[str(c.get("process", "?"))]}" title="{_esc(_core_title(c))}">'
        f"{_esc(c.get('index', i))}<br><small>{_esc(str(c.get('process', '?'))[:10])}</small></div>"
        for i, c in enumerate(cores)
    )
    rows = "".join(f"<tr><th>{_esc(k)}</th><td>{_esc(v)}</td></tr>" for k, v in tot.items())
    return (
        f'<section id="loihi"><h2>Loihi emulator</h2><h3>Core map ({len(cores)} cores)</h3>'
        f'<div class="coremap">{cells}</div><h3>Activity and energy</h3><table class="kv">{rows}</table>'
        f"<pre>{_esc(str(rep))}</pre></section>"
    )


def _core_title(c: dict) -> str:
    parts = [f"core {c.get('index', '?')}"]
    if "chip" in c:
        parts.append(f"chip {c['chip']}, tile ({c.get('tile_x', '?')}, {c.get('tile_y', '?')})")
    parts.append(str(c.get("process", "?")))
    if "neurons" in c:
        parts.append(f"neurons {c['neurons'][0]}..{c['neurons'][1] - 1}")
    for k in ("synapses", "memory_bytes", "fan_in", "fan_out"):
        if k in c:
            parts.append(f"{k.replace('_', ' ')} {c[k]}")
    return ", ".join(parts)


REPORT_CSS = """
nav{margin:.3em 0 1em}nav a{margin-right:.4em}
section{margin:1.6em 0}h2{border-bottom:1px solid #e5e7eb;padding-bottom:.2em}
table.kv th{text-align:left;padding-right:1em;font-weight:normal;color:#4b5563}
table.data{border-collapse:collapse;font-size:12px}table.data td,table.data th{border:1px solid #e5e7eb;padding:2px 6px;text-align:right}
table.data td:first-child,table.data th:first-child{text-align:left}
figure{margin:1em 0}figure svg,figure img{max-width:100%;height:auto}
.coremap{display:flex;flex-wrap:wrap;gap:3px;max-width:60em}.core{width:4.2em;height:2.6em;font-size:11px;text-align:center;border-radius:3px}
pre{background:#f9fafb;padding:.6em;overflow:auto;font-size:11px}
"""

__all__ = ["report", "MAX_SVG_SPIKES"]
