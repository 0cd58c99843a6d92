"""Lava's ``lava.proc.graded`` package (caldera-lava)."""
