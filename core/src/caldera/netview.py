"""``caldera.view(proc)``: the process graph as SVG, PNG or a self-contained HTML page.

The graph is the network ``proc`` belongs to, as the user wired it: one box per process (class, shape,
model and backend once compiled, weight statistics for connection processes), hierarchical processes as
frames around their sub-processes (collapsible in HTML), one arrow per port connection with the
virtual ports it passes through (reshape, flatten, transpose, concat) and its kind (message, RefPort
access, hierarchy). After compilation boxes are coloured by partition. The layout is computed here,
in pure Python (layered, left to right); no graphviz is needed. ``to_dot()`` gives graphviz text for
those who want it.

A network that was never compiled is drawn as declared: sub-processes of hierarchical processes
exist only after compilation, so such a process is drawn as one box with a note saying how to see
inside (``proc.compile(run_cfg)`` or a run). Nothing is compiled behind the user's back.
"""

from __future__ import annotations

import html
import json
import pathlib
import typing as ty

import numpy as np

from caldera.errors import ParameterError

NODE_W, NODE_H, GAP_X, GAP_Y, PAD, HEAD = 190, 58, 70, 22, 12, 22
PALETTE = ("#dbeafe", "#dcfce7", "#fef3c7", "#fce7f3", "#ede9fe", "#cffafe", "#fee2e2", "#e5e7eb")


def _esc(s: ty.Any) -> str:
    return html.escape(str(s), quote=True)


def _shape(shape: ty.Any) -> str:
    return "×".join(str(int(x)) for x in shape) if shape else "scalar"


def _weight_stats(proc: ty.Any) -> dict | None:
    var = getattr(proc, "vars", None)
    if var is None:
        return None
    # Dense/Sparse (and their delay variants) hold ``weights``; Conv holds its kernel as ``weight``
    name = "weights" if "weights" in proc.vars else "weight" if "weight" in proc.vars else None
    if name is None:
        return None
    w = proc.vars[name]
    try:
        value = w.get() if proc.is_compiled and proc.runtime.state != "running" else w.init_value()
    except Exception:  # noqa: BLE001 - a view never fails because of one statistic
        value = w.init
    if hasattr(value, "tocsr"):
        data = np.asarray(value.tocsr().data, dtype=np.float64)
        total, kind = int(np.prod(value.shape)), "sparse"
    else:
        arr = np.asarray(value, dtype=np.float64)
        data, total = arr[arr != 0], int(arr.size)
        kind = "kernel" if name == "weight" else "dense"
    stats = {"storage": kind, "shape": _shape(np.shape(value)), "nonzero": int(data.size), "total": total}
    if data.size:
        stats.update(min=float(data.min()), max=float(data.max()), mean=float(data.mean()))
    return stats


class _Edge(ty.NamedTuple):
    src: int
    dst: int
    src_port: str
    dst_port: str
    kind: str  # "message", "ref", "hierarchy"
    via: tuple[str, ...]  # virtual ports passed, in order


def _virtual_label(p: ty.Any) -> str:
    name = type(p).__name__
    if name == "ReshapePort":
        return f"reshape→{_shape(p.shape)}"
    if name == "TransposePort":
        return "transpose"
    if name == "ConcatPort":
        return f"concat(axis={getattr(p, 'axis', '?')})"
    return name


class NetworkView:
    """The drawn graph of one network; ``to_svg()``, ``to_html()``, ``to_png(path)``, ``save(path)``."""

    def __init__(self, proc: ty.Any) -> None:
        from caldera.compiler import collect_processes
        from caldera.process import Process

        if not isinstance(proc, Process):
            raise ParameterError(
                f"caldera.view needs a Process (any process of the network), got {type(proc).__name__}"
            )
        rt = proc.runtime
        self.compiled = rt is not None
        procs = rt.net.processes if rt is not None else collect_processes(proc)
        seen: dict[int, ty.Any] = {}
        for p in procs:
            seen.setdefault(p.id, p)
        for p in list(seen.values()):  # hierarchy reached through parents
            stack = [p]
            while stack:
                q = stack.pop()
                seen.setdefault(q.id, q)
                stack.extend(q.sub_procs.values())
                if q.parent is not None and q.parent.id not in seen:
                    stack.append(q.parent)
        self.procs = seen
        self.root = proc
        self.partition_of: dict[int, int] = {}
        self.backend_of: dict[int, str] = {}
        self.model_of: dict[int, str] = {}
        if rt is not None:
            for part in rt.net.partitions:
                for pid in part.ids:
                    self.partition_of[pid] = part.index
                    self.backend_of[pid] = part.backend.name
            for pid, cls in rt.net.model_classes.items():
                self.model_of[pid] = cls.__name__
        self.edges = self._edges()
        self._layout()

    # -- graph ---------------------------------------------------------------------------------
    def is_leaf(self, p: ty.Any) -> bool:
        return not p.sub_procs

    def _edges(self) -> list[_Edge]:
        from caldera.ports import OutPort, RefPort, VirtualPort

        edges: list[_Edge] = []
        for p in self.procs.values():
            for port in p.ports:
                if isinstance(port, RefPort):
                    var = port.target_var
                    if var is not None and var.process is not None and var.process.id in self.procs:
                        # drawn the way the data flows: from the Var's owner to the process reading it
                        edges.append(_Edge(var.process.id, p.id, var.name, port.name, "ref", ()))
                    continue
                if not isinstance(port, OutPort) and not (p.sub_procs and port.out_connections):
                    continue
                stack: list[tuple[ty.Any, tuple[str, ...]]] = [(c, ()) for c in port.out_connections]
                while stack:
                    q, via = stack.pop()
                    if isinstance(q, VirtualPort) or q.process is None:
                        nxt = via + (_virtual_label(q),) if isinstance(q, VirtualPort) else via
                        stack.extend((c, nxt) for c in q.out_connections)
                        continue
                    if q.process.id not in self.procs:
                        continue
                    hier = q.process.parent is p or p.parent is q.process
                    edges.append(_Edge(p.id, q.process.id, port.name, q.name, "hierarchy" if hier else "message", via))
        return edges

    def _leaf_of(self, pid: int) -> list[int]:
        p = self.procs[pid]
        if self.is_leaf(p):
            return [pid]
        out: list[int] = []
        for c in p.sub_procs.values():
            out += self._leaf_of(c.id)
        return out

    # -- layout: layers left to right, frames packed so that they never overlap ----------------
    def _layout(self) -> None:
        leaves = [pid for pid, p in self.procs.items() if self.is_leaf(p)]
        succ: dict[int, set[int]] = {pid: set() for pid in leaves}
        for e in self.edges:
            if e.kind == "hierarchy":
                continue
            for a in self._leaf_of(e.src):
                for b in self._leaf_of(e.dst):
                    if a != b:
                        succ[a].add(b)
        # break cycles (depth-first back edges), then longest path from the sources
        state: dict[int, int] = {}
        back: set[tuple[int, int]] = set()
        for s in leaves:
            if s in state:
                continue
            stack = [(s, iter(sorted(succ[s])))]
            state[s] = 1
            while stack:
                n, it = stack[-1]
                nxt = next(it, None)
                if nxt is None:
                    state[n] = 2
                    stack.pop()
                elif state.get(nxt) == 1:
                    back.add((n, nxt))
                elif nxt not in state:
                    state[nxt] = 1
                    stack.append((nxt, iter(sorted(succ[nxt]))))
        layer = {pid: 0 for pid in leaves}
        order = _topo(leaves, {n: {m for m in succ[n] if (n, m) not in back} for n in leaves})
        for n in order:
            for m in succ[n]:
                if (n, m) not in back:
                    layer[m] = max(layer[m], layer[n] + 1)
        self.layer = layer
        self.pos: dict[int, tuple[float, float, float, float]] = {}  # x, y, w, h (frames and boxes)
        tops = [p for p in self.procs.values() if p.parent is None or p.parent.id not in self.procs]
        self._margin = PAD * (1 + max((self._depth(p) for p in tops), default=0))
        self._pack(self._sorted(tops))
        for pid, (x, y, w, h) in self.pos.items():  # room above for edges that skip layers
            self.pos[pid] = (x, y + PAD + GAP_Y * 2, w, h)
        self.width = max((x + w for x, _, w, _ in self.pos.values()), default=NODE_W) + self._margin
        self.height = max((y + h for _, y, _, h in self.pos.values()), default=NODE_H) + PAD

    def _sorted(self, items: list) -> list:
        return sorted(items, key=lambda p: (self._span(p)[0], p.id))

    def _span(self, p: ty.Any) -> tuple[int, int]:
        ls = [self.layer[x] for x in self._leaf_of(p.id)]
        return min(ls), max(ls)

    def _pack(self, items: list) -> float:
        """Place ``items`` (siblings) from y = 0 down, first fit: boxes whose layer spans overlap never share
        a row band; frames are packed inside first. Returns the height used."""
        placed: list[tuple[int, int, float, float]] = []
        bottom = 0.0
        for p in items:
            lo, hi = self._span(p)
            leaf = self.is_leaf(p)
            h = NODE_H if leaf else self._pack(self._sorted(list(p.sub_procs.values()))) + HEAD + PAD
            y, moved = 0.0, True
            while moved:
                moved = False
                for lo2, hi2, y2, h2 in placed:
                    if not (hi < lo2 or lo > hi2) and y < y2 + h2 + GAP_Y and y + h + GAP_Y > y2:
                        y, moved = y2 + h2 + GAP_Y, True
            placed.append((lo, hi, y, h))
            depth = self._depth(p)
            x = self._margin + lo * (NODE_W + GAP_X) - PAD * depth
            w = (hi - lo) * (NODE_W + GAP_X) + NODE_W + 2 * PAD * depth
            if not leaf:
                for c in p.sub_procs.values():
                    self._shift(c, y + HEAD)
            self.pos[p.id] = (x, y, w, h)
            bottom = max(bottom, y + h)
        return bottom

    def _shift(self, p: ty.Any, dy: float) -> None:
        x, y, w, h = self.pos[p.id]
        self.pos[p.id] = (x, y + dy, w, h)
        for c in p.sub_procs.values():
            self._shift(c, dy)

    def _depth(self, p: ty.Any) -> int:
        return 0 if self.is_leaf(p) else 1 + max(self._depth(c) for c in p.sub_procs.values())

    def _nesting(self, p: ty.Any) -> int:
        n, q = 0, p.parent
        while q is not None and q.id in self.procs:
            n, q = n + 1, q.parent
        return n

    # -- output ----------------------------------------------------------------------------------
    def node_info(self, pid: int) -> dict:
        p = self.procs[pid]
        info: dict[str, ty.Any] = {
            "id": pid,
            "name": p.name,
            "class": type(p).__name__,
            "shape": _shape(getattr(p, "shape", None) or ()) if hasattr(p, "shape") else None,
            "ports": [{"name": q.name, "kind": type(q).__name__, "shape": _shape(q.shape)} for q in p.ports if q.name],
            "model": self.model_of.get(pid),
            "backend": self.backend_of.get(pid),
            "partition": self.partition_of.get(pid),
            "parent": p.parent.id if p.parent is not None and p.parent.id in self.procs else None,
            "children": [c.id for c in p.sub_procs.values()],
            "weights": _weight_stats(p),
        }
        if not self.compiled and not p.sub_procs and _has_sub_model(p):
            info["note"] = "hierarchical: its sub-processes appear after proc.compile(run_cfg) or a run"
        return info

    def to_dict(self) -> dict:
        return {
            "compiled": self.compiled,
            "nodes": [self.node_info(pid) for pid in self.procs],
            "edges": [e._asdict() for e in self.edges],
        }

    def _box_lines(self, pid: int) -> list[str]:
        info = self.node_info(pid)
        first = f"{info['class']}"
        if info["shape"]:
            first += f" {info['shape']}"
        lines = [info["name"], first]
        w = info["weights"]
        if w:
            rng = f" [{w['min']:.3g}, {w['max']:.3g}]" if "min" in w else ""
            lines.append(f"{w['storage']} {w['shape']} nz {100 * w['nonzero'] / max(w['total'], 1):.0f}%{rng}")
        elif info["backend"]:
            lines.append(f"{info['model']} on {info['backend']}")
        elif info.get("note"):
            lines.append("not compiled: no sub-processes yet")
        return lines

    def to_svg(self, collapsible: bool = False) -> str:
        """The graph as an SVG document (``collapsible``: frames carry the ids the HTML page's script uses)."""
        out = [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="caldera-net" width="{self.width:.0f}" '
            f'height="{self.height:.0f}" viewBox="0 0 {self.width:.0f} {self.height:.0f}" '
            'font-family="DejaVu Sans, Arial, sans-serif" font-size="11">',
            "<defs><marker id='arrow' viewBox='0 0 10 10' refX='10' refY='5' markerWidth='7' markerHeight='7' "
            "orient='auto-start-reverse'><path d='M0,0 L10,5 L0,10 z' fill='#374151'/></marker></defs>",
        ]
        frames = [pid for pid, p in self.procs.items() if not self.is_leaf(p)]
        frames.sort(key=lambda pid: self._nesting(self.procs[pid]))
        for pid in frames:
            p = self.procs[pid]
            x, y, w, h = self.pos[pid]
            out.append(
                f'<g class="frame" id="frame-{pid}" data-proc="{_esc(p.name)}" data-children="'
                f'{" ".join(str(i) for i in self._descendants(pid))}">'
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="8" fill="#f9fafb" '
                f'stroke="#6b7280" stroke-dasharray="4 3"/>'
                f'<text x="{x + 8:.1f}" y="{y + 15:.1f}" font-weight="bold">'
                f"{'▾ ' if collapsible else ''}{_esc(p.name)} ({_esc(type(p).__name__)})</text>"
                f"<title>{_esc(self._title(pid))}</title></g>"
            )
        for e in self.edges:
            if e.kind == "hierarchy":
                continue
            out.append(self._edge_svg(e))
        for pid, p in self.procs.items():
            if not self.is_leaf(p):
                continue
            x, y, w, h = self.pos[pid]
            part = self.partition_of.get(pid)
            fill = PALETTE[part % len(PALETTE)] if part is not None else "#ffffff"
            lines = self._box_lines(pid)
            bold = ' font-weight="bold"'
            text = "".join(
                f'<text x="{x + 8:.1f}" y="{y + 16 + 14 * i:.1f}"{bold if i == 0 else ""}>{_esc(line[:32])}</text>'
                for i, line in enumerate(lines)
            )
            out.append(
                f'<g class="node" id="node-{pid}" data-proc="{_esc(p.name)}">'
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="5" fill="{fill}" '
                f'stroke="#374151"/>{text}<title>{_esc(self._title(pid))}</title></g>'
            )
        out.append("</svg>")
        return "\n".join(out)

    def _descendants(self, pid: int) -> list[int]:
        out = []
        for c in self.procs[pid].sub_procs.values():
            out.append(c.id)
            out += self._descendants(c.id)
        return out

    def _title(self, pid: int) -> str:
        info = self.node_info(pid)
        parts = [f"{info['name']}: {info['class']}"]
        if info["model"]:
            parts.append(f"model {info['model']} on {info['backend']}, partition {info['partition']}")
        parts += [f"{q['kind']} {q['name']} {q['shape']}" for q in info["ports"]]
        w = info["weights"]
        if w:
            parts.append(
                f"weights: {w['storage']} {w['shape']}, {w['nonzero']} non-zero"
                + (f", min {w['min']:.4g}, max {w['max']:.4g}, mean {w['mean']:.4g}" if "min" in w else "")
            )
        if info.get("note"):
            parts.append(info["note"])
        return "\n".join(parts)

    def _edge_svg(self, e: _Edge) -> str:
        d = self._edge_path(e)
        style = {"message": "#374151", "ref": "#9333ea"}[e.kind]
        dash = ' stroke-dasharray="5 3"' if e.kind == "ref" else ""
        label = f"{e.src_port}→{e.dst_port}" + (f" via {', '.join(e.via)}" if e.via else "")
        src, dst = self.procs[e.src].name, self.procs[e.dst].name
        return (
            f'<g class="edge edge-{e.kind}" data-src="{e.src}" data-dst="{e.dst}"><path d="{d}" fill="none" '
            f'stroke="{style}" stroke-width="1.3"{dash} marker-end="url(#arrow)"/>'
            f"<title>{_esc(src)}.{_esc(label)} {_esc(dst)} ({e.kind})</title></g>"
        )

    def _edge_path(self, e: _Edge) -> str:
        """SVG path data of an edge: one cubic Bézier segment."""
        x1, y1, w1, h1 = self.pos[e.src]
        x2, y2, w2, h2 = self.pos[e.dst]
        sx, sy = x1 + w1, y1 + h1 / 2
        tx, ty_ = x2, y2 + h2 / 2
        if tx <= sx:  # backward or same column: loop below
            low = max(y1 + h1, y2 + h2) + GAP_Y * 0.6
            d = f"M{sx:.1f},{sy:.1f} C{sx + 40:.1f},{low:.1f} {tx - 40:.1f},{low:.1f} {tx:.1f},{ty_:.1f}"
        elif tx - sx > GAP_X + NODE_W:  # skips layers: arc above the boxes in between
            top = max(min(y1, y2) - GAP_Y * 1.5, 2.0)
            d = f"M{sx:.1f},{sy:.1f} C{sx + 60:.1f},{top:.1f} {tx - 60:.1f},{top:.1f} {tx:.1f},{ty_:.1f}"
        else:
            mx = (sx + tx) / 2
            d = f"M{sx:.1f},{sy:.1f} C{mx:.1f},{sy:.1f} {mx:.1f},{ty_:.1f} {tx:.1f},{ty_:.1f}"
        return d

    def to_dot(self) -> str:
        """Graphviz text of the same graph (clusters for hierarchy), for ``dot -Tsvg``."""
        lines = ["digraph caldera {", "  rankdir=LR; node [shape=box, fontname=Helvetica, fontsize=10];"]

        def emit(pid: int, indent: str) -> None:
            p = self.procs[pid]
            if self.is_leaf(p):
                label = "\\n".join(line.replace('"', "'") for line in self._box_lines(pid))
                lines.append(f'{indent}p{pid} [label="{label}"];')
                return
            lines.append(f'{indent}subgraph cluster_{pid} {{ label="{p.name} ({type(p).__name__})"; style=dashed;')
            for c in p.sub_procs.values():
                emit(c.id, indent + "  ")
            lines.append(indent + "}")

        for pid, p in self.procs.items():
            if p.parent is None or p.parent.id not in self.procs:
                emit(pid, "  ")
        for e in self.edges:
            if e.kind != "hierarchy" and self.is_leaf(self.procs[e.src]) and self.is_leaf(self.procs[e.dst]):
                style = ", style=dashed" if e.kind == "ref" else ""
                lab = e.src_port + ("\\n" + ", ".join(e.via) if e.via else "")
                lines.append(f'  p{e.src} -> p{e.dst} [label="{lab}"{style}];')
        lines.append("}")
        return "\n".join(lines)

    def html_fragment(self) -> str:
        """The collapsible view (SVG + process tree) to embed in a page that includes ``VIEW_CSS`` and ``VIEW_JS``."""
        tree = "".join(
            self._tree_item(pid) for pid, p in self.procs.items() if p.parent is None or p.parent.id not in self.procs
        )
        data = json.dumps(self.to_dict()).replace("</", "<\\/")
        note = (
            ""
            if self.compiled
            else '<p class="note">Not compiled yet: partitions, backends and the insides of hierarchical processes '
            "appear after <code>proc.compile(run_cfg)</code> or a run.</p>"
        )
        return (
            f'<div class="caldera-view">{note}<div class="view-grid"><div class="graph">{self.to_svg(collapsible=True)}'
            f'</div><ul class="tree">{tree}</ul></div>'
            f'<script type="application/json" class="caldera-view-data">{data}</script></div>'
        )

    def _tree_item(self, pid: int) -> str:
        p = self.procs[pid]
        info = self.node_info(pid)
        ports = ", ".join(f"{q['name']} {q['shape']}" for q in info["ports"])
        if info["model"] and info["backend"]:
            extra = f" — {info['model']} on {info['backend']} (partition {info['partition']})"
        elif info["model"]:
            extra = f" — {info['model']} ({len(p.sub_procs)} sub-processes)"
        else:
            extra = ""
        label = f"<b>{_esc(p.name)}</b> {_esc(type(p).__name__)}{_esc(extra)}<br><small>{_esc(ports)}</small>"
        if self.is_leaf(p):
            return f'<li class="leaf" data-id="{pid}">{label}</li>'
        kids = "".join(self._tree_item(c.id) for c in p.sub_procs.values())
        return (
            f'<li class="group collapsed" data-id="{pid}"><span class="toggle" id="toggle-{pid}" role="button" '
            f'tabindex="0">▸</span> {label}<ul>{kids}</ul></li>'
        )

    def to_html(self, title: str | None = None) -> str:
        """A self-contained page (no external file or network access): the SVG, the process tree, the script."""
        t = _esc(title or f"Network of {self.root.name}")
        return (
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{t}</title>'
            f"<style>{VIEW_CSS}</style></head><body><h1>{t}</h1>{self.html_fragment()}<script>{VIEW_JS}</script>"
            "</body></html>"
        )

    def to_png(self, path: str | pathlib.Path, dpi: int = 110) -> pathlib.Path:
        """Draw the same layout with matplotlib (``pip install 'caldera[plot]'``) into a PNG file."""
        from caldera.plot import _pyplot

        plt = _pyplot()
        from matplotlib.patches import FancyBboxPatch

        fig = plt.figure(figsize=(self.width / 100, self.height / 100), dpi=dpi)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, self.width)
        ax.set_ylim(self.height, 0)
        ax.axis("off")
        for pid, p in self.procs.items():
            x, y, w, h = self.pos[pid]
            if self.is_leaf(p):
                part = self.partition_of.get(pid)
                fill = PALETTE[part % len(PALETTE)] if part is not None else "#ffffff"
                ax.add_patch(
                    FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0,rounding_size=5", fc=fill, ec="#374151")
                )
                for i, line in enumerate(self._box_lines(pid)):
                    ax.text(x + 8, y + 16 + 14 * i, line[:32], fontsize=7, weight="bold" if i == 0 else "normal")
            else:
                ax.add_patch(
                    FancyBboxPatch(
                        (x, y), w, h, boxstyle="round,pad=0,rounding_size=8", fc="#f9fafb", ec="#6b7280", ls="--"
                    )
                )
                ax.text(x + 8, y + 15, f"{p.name} ({type(p).__name__})", fontsize=7, weight="bold")
        from matplotlib.patches import FancyArrowPatch
        from matplotlib.path import Path

        for e in self.edges:
            if e.kind == "hierarchy":
                continue
            d = self._edge_path(e)
            nums = [float(v) for v in d.replace("M", " ").replace("C", " ").replace(",", " ").split()]
            pts = list(zip(nums[0::2], nums[1::2]))
            curve = Path(pts, [Path.MOVETO, Path.CURVE4, Path.CURVE4, Path.CURVE4])
            colour = "#9333ea" if e.kind == "ref" else "#374151"
            ax.add_patch(FancyArrowPatch(path=curve, arrowstyle="->", color=colour, lw=1, mutation_scale=8))
        p = _prepare(path)
        fig.savefig(p, dpi=dpi)
        plt.close(fig)
        return p

    def save(self, path: str | pathlib.Path) -> pathlib.Path:
        """Write ``.svg``, ``.html``, ``.png`` or ``.dot`` (by the suffix); a missing folder is created."""
        p = pathlib.Path(path)
        suffix = p.suffix.lower()
        if suffix == ".png":
            return self.to_png(p)
        writers = {".svg": self.to_svg, ".html": self.to_html, ".htm": self.to_html, ".dot": self.to_dot}
        if suffix not in writers:
            raise ParameterError(f"caldera.view: cannot write {p.name!r}: the suffix must be .svg, .html, .png or .dot")
        q = _prepare(p)
        q.write_text(writers[suffix](), encoding="utf-8")
        return q


def _has_sub_model(p: ty.Any) -> bool:
    """Whether a sub-process (hierarchical) model of ``p``'s class is defined next to it (the user's module)."""
    import inspect
    import sys

    from caldera.model import AbstractSubProcessModel

    mod = sys.modules.get(type(p).__module__)
    return mod is not None and any(
        inspect.isclass(obj)
        and issubclass(obj, AbstractSubProcessModel)
        and getattr(obj, "implements_process", None) is type(p)
        for obj in list(vars(mod).values())
    )


def _topo(nodes: list[int], succ: dict[int, set[int]]) -> list[int]:
    indeg = {n: 0 for n in nodes}
    for n in nodes:
        for m in succ[n]:
            indeg[m] += 1
    ready = [n for n in nodes if indeg[n] == 0]
    out = []
    while ready:
        n = ready.pop(0)
        out.append(n)
        for m in sorted(succ[n]):
            indeg[m] -= 1
            if indeg[m] == 0:
                ready.append(m)
    return out


def _prepare(path: str | pathlib.Path) -> pathlib.Path:
    p = pathlib.Path(path)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ParameterError(f"cannot create the folder {str(p.parent)!r} for {p.name!r}: {e}") from e
    return p


def view(proc: ty.Any, path: str | pathlib.Path | None = None) -> NetworkView:
    """The network ``proc`` belongs to, drawn; written to ``path`` (.svg/.html/.png/.dot) when given."""
    v = NetworkView(proc)
    if path is not None:
        v.save(path)
    return v


VIEW_CSS = """
body{font-family:DejaVu Sans,Arial,sans-serif;margin:1.2em;color:#111827}
.caldera-view .view-grid{display:flex;gap:1.5em;align-items:flex-start;flex-wrap:wrap}
.caldera-view .graph{overflow:auto;max-width:100%;border:1px solid #e5e7eb;border-radius:6px}
.caldera-view ul.tree{list-style:none;padding-left:1em;font-size:13px;min-width:18em}
.caldera-view ul.tree ul{list-style:none;padding-left:1.2em}
.caldera-view li.collapsed>ul{display:none}
.caldera-view .toggle{cursor:pointer;user-select:none;display:inline-block;width:1em}
.caldera-view .node.hidden,.caldera-view .edge.hidden{display:none}
.caldera-view .frame.collapsed rect{fill:#e5e7eb;stroke-dasharray:none}
.caldera-view .frame{cursor:pointer}
.note{color:#92400e;background:#fffbeb;padding:.4em .6em;border-radius:4px}
"""

VIEW_JS = """
(function(){
  function setCollapsed(view, id, collapsed){
    var frame = view.querySelector('#frame-' + id);
    var li = view.querySelector('li.group[data-id="' + id + '"]');
    if (li) { li.classList.toggle('collapsed', collapsed);
      var t = li.querySelector(':scope > .toggle'); if (t) t.textContent = collapsed ? '\\u25b8' : '\\u25be'; }
    if (!frame) return;
    frame.classList.toggle('collapsed', collapsed);
    var kids = (frame.getAttribute('data-children') || '').split(' ').filter(Boolean);
    kids.forEach(function(k){
      var n = view.querySelector('#node-' + k); if (n) n.classList.toggle('hidden', collapsed);
      var f = view.querySelector('#frame-' + k); if (f) f.style.display = collapsed ? 'none' : '';
    });
    var hidden = {};
    view.querySelectorAll('.node.hidden').forEach(function(n){ hidden[n.id.slice(5)] = true; });
    view.querySelectorAll('.edge').forEach(function(e){
      var inner = hidden[e.getAttribute('data-src')] && hidden[e.getAttribute('data-dst')];
      e.classList.toggle('hidden', !!inner);
    });
  }
  document.querySelectorAll('.caldera-view').forEach(function(view){
    view.querySelectorAll('li.group').forEach(function(li){
      var id = li.getAttribute('data-id');
      setCollapsed(view, id, true);
      var t = li.querySelector(':scope > .toggle');
      function flip(){ setCollapsed(view, id, !li.classList.contains('collapsed')); }
      t.addEventListener('click', flip);
      t.addEventListener('keydown', function(ev){ if (ev.key === 'Enter' || ev.key === ' ') flip(); });
    });
    view.querySelectorAll('.frame').forEach(function(f){
      f.addEventListener('click', function(ev){
        ev.stopPropagation();
        var id = f.id.slice(6); var li = view.querySelector('li.group[data-id="' + id + '"]');
        setCollapsed(view, id, !(li && li.classList.contains('collapsed')));
      });
    });
  });
})();
"""

__all__ = ["NetworkView", "view"]
