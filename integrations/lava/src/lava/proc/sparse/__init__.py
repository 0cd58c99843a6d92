"""Lava's ``lava.proc.sparse`` package (caldera-lava)."""
