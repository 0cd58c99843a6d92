"""Lava's ``lava.proc.sdn`` package (caldera-lava)."""
