"""Lava's ``lava.proc.rf`` package (caldera-lava)."""
