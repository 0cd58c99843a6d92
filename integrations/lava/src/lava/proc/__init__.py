"""Lava's ``lava.proc`` package (caldera-lava)."""
