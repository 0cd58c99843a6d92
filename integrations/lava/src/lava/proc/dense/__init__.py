"""Lava's ``lava.proc.dense`` package (caldera-lava)."""
