"""Entry points of installed distributions, read without importlib.metadata.

Plugins are found through the entry-point group ``caldera``. Importing
importlib.metadata (email parsing and all) costs about as much as the rest of a
session's first compile, so the ``entry_points.txt`` files are read directly;
importlib.metadata remains the fallback for what a plain folder scan cannot see.
"""

from __future__ import annotations

import os
import sys


def entry_points(group: str) -> list[tuple[str, str, str, str]]:
    """``(name, "module:attr", distribution, version)`` of every entry point in ``group``.

    Read straight from the ``entry_points.txt`` of the ``*.dist-info`` / ``*.egg-info``
    folders on ``sys.path``, in path order (what importlib.metadata does): importing
    importlib.metadata alone costs about as much as the rest of a first compile. Falls back
    to importlib.metadata where a path entry is not a plain folder (e.g. a zip file).
    """
    found: list[tuple[str, str, str, str]] = []
    for entry in sys.path:
        folder = entry or "."
        if not os.path.isdir(folder):
            if os.path.exists(folder):  # a zip or another importable file: let importlib.metadata read it
                return entry_points_via_metadata(group)
            continue
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for info in names:
            if not info.endswith((".dist-info", ".egg-info")):
                continue
            path = os.path.join(folder, info)
            try:
                with open(os.path.join(path, "entry_points.txt"), encoding="utf-8") as f:
                    points = parse_entry_points(f.read(), group)
            except OSError:
                continue
            if points:
                dist_name, version = name_and_version(path, info)
                found += [(n, v, dist_name, version) for n, v in points]
    return found


def parse_entry_points(text: str, group: str) -> list[tuple[str, str]]:
    """The ``name = value`` lines of section ``[group]`` of an ``entry_points.txt`` (INI format)."""
    out, section = [], None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
        elif section == group and "=" in line:
            name, _, value = line.partition("=")
            out.append((name.strip(), value.split("[", 1)[0].strip()))  # drop an ``[extras]`` suffix
    return out


def name_and_version(path: str, info: str) -> tuple[str, str]:
    """Distribution name and version from the METADATA / PKG-INFO header (else from the folder name)."""
    meta: dict[str, str] = {}
    for fname in ("METADATA", "PKG-INFO"):
        try:
            with open(os.path.join(path, fname), encoding="utf-8") as f:
                for line in f:
                    if not line.strip():
                        break
                    key, _, val = line.partition(":")
                    if key in ("Name", "Version") and key not in meta:
                        meta[key] = val.strip()
            break
        except OSError:
            continue
    stem = info.rsplit(".", 1)[0]
    guess_name, _, guess_version = stem.partition("-")
    return meta.get("Name", guess_name), meta.get("Version", guess_version or "?")


def entry_points_via_metadata(group: str) -> list[tuple[str, str, str, str]]:
    """The same list, from importlib.metadata (slower to import; reads zips and custom finders too)."""
    import importlib.metadata as md

    return [
        (ep.name, ep.value, dist.metadata["name"], dist.version)
        for dist in md.distributions()
        for ep in dist.entry_points
        if ep.group == group
    ]
