"""Lava's ``lava.magma.core.process.process``: ``AbstractProcess`` is caldera's ``Process``.

Processes declare Vars and ports in ``__init__`` and keep their keyword arguments in ``proc_params``,
as in Lava. ``LogConfig`` is accepted for compatibility: caldera processes do not write per-process
logs, so asking for a log file (``logs_to_file=True``) warns that none is written.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass

from caldera.process import AbstractProcess, Collection, ProcessParameters

from lava._compat import missing


@dataclass
class LogConfig:
    """Lava's logging options of a process (accepted; caldera processes keep no per-process log)."""

    file: str = ""
    level: int = logging.WARNING
    level_console: int = logging.ERROR
    logs_to_file: bool = False
    format: str = "%(asctime)s:%(levelname)s: %(name)s - %(message)s"
    date_format: str = "%m/%d/%Y %I:%M:%S%p"

    def __post_init__(self) -> None:
        if self.logs_to_file and self.file == "":
            raise ValueError("LogConfig: give a file name (file=...) when logs_to_file=True")
        if self.logs_to_file:
            warnings.warn(
                f"LogConfig(logs_to_file=True, file={self.file!r}): caldera processes write no per-process log; "
                "use Python's logging for your own messages",
                stacklevel=2,
            )


_INTERNAL = "not supported: Lava's process bookkeeping; caldera registers Vars and ports as they are assigned"
__all__ = ["AbstractProcess", "LogConfig", "ProcessParameters", "Collection"]
__getattr__ = missing(__name__, {"ProcessPostInitCaller": _INTERNAL, "ProcessServer": _INTERNAL})
