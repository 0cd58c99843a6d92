"""Event-camera events binned per time step into 2-D spike frames.

``EventBinner(shape, dt)`` turns the events of successive ``dvs_msgs/EventArray`` messages into one frame per
step of ``dt`` seconds: event ``(x, y, t, p)`` lands in row ``y // downsample``, column ``x // downsample`` of
frame ``floor((t - t0) / dt)``, with ``t0`` the first event's time. Frames are handed out in order; an event
older than the last frame handed out goes into the next one (late events are not lost), and the time between two
messages with no event at all is skipped rather than filled with empty frames (the node's clock keeps
stepping meanwhile). ``polarity`` selects ON or OFF events only, both, or splits them into two channels
(shape ``(2, rows, cols)``); ``binary`` caps a pixel's value at 1 per step, otherwise it counts events.
"""

from __future__ import annotations

import typing as ty

import numpy as np
from caldera.errors import ParameterError

from caldera_ros.messages import Events

POLARITIES = ("both", "on", "off", "split")


class EventBinner:
    def __init__(
        self,
        shape: ty.Sequence[int],
        dt: float,
        *,
        downsample: int = 1,
        polarity: str = "both",
        binary: bool = True,
        max_frames: int = 10_000,
    ) -> None:
        if polarity not in POLARITIES:
            raise ParameterError(f"events: polarity must be one of {', '.join(POLARITIES)}, got {polarity!r}")
        shape = tuple(int(s) for s in shape)
        want = 3 if polarity == "split" else 2
        if len(shape) != want or (polarity == "split" and shape[0] != 2) or min(shape) < 1:
            raise ParameterError(
                f"events: the port needs shape {'(2, rows, cols)' if want == 3 else '(rows, cols)'} "
                f"for polarity={polarity!r}, got {shape}"
            )
        if not (isinstance(downsample, int) and downsample >= 1):
            raise ParameterError(f"events: downsample must be an integer >= 1, got {downsample!r}")
        if not dt > 0:
            raise ParameterError(f"events: dt must be > 0 seconds, got {dt!r}")
        self.shape, self.dt, self.downsample = shape, float(dt), downsample
        self.polarity, self.binary, self.max_frames = polarity, bool(binary), int(max_frames)
        self.t0: float | None = None
        self.next_index = 0  # the frame index handed out next
        #: events outside the frame (after downsampling) and events beyond ``max_frames`` of one message
        self.outside = 0

    def frames(self, ev: Events) -> list[np.ndarray]:
        """The frames that ``ev`` fills, oldest first (none for an empty message)."""
        if len(ev) == 0:
            return []
        keep = np.ones(len(ev), dtype=bool)
        if self.polarity == "on":
            keep &= ev.p
        elif self.polarity == "off":
            keep &= ~ev.p
        if self.t0 is None:
            self.t0 = float(ev.t.min())
        idx = np.floor((ev.t - self.t0) / self.dt).astype(np.int64)
        first = int(idx.min())
        if first > self.next_index:
            self.next_index = first  # skip the silent gap before this message
        idx = np.maximum(idx, self.next_index) - self.next_index
        rows, cols = self.shape[-2:]
        r, c = ev.y // self.downsample, ev.x // self.downsample
        inside = (r >= 0) & (r < rows) & (c >= 0) & (c < cols) & (idx < self.max_frames)
        self.outside += int(np.count_nonzero(keep & ~inside))
        keep &= inside
        n = int(idx[keep].max()) + 1 if keep.any() else int(idx.max()) + 1
        n = min(n, self.max_frames)
        out = np.zeros((n, *self.shape))
        if self.polarity == "split":
            np.add.at(out, (idx[keep], (~ev.p[keep]).astype(np.int64), r[keep], c[keep]), 1.0)
        else:
            np.add.at(out, (idx[keep], r[keep], c[keep]), 1.0)
        if self.binary:
            np.minimum(out, 1.0, out=out)
        self.next_index += n
        return list(out)


__all__ = ["EventBinner", "POLARITIES"]
