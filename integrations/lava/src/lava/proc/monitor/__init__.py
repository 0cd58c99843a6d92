"""Lava's ``lava.proc.monitor`` package (caldera-lava)."""
