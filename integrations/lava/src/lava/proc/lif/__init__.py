"""Lava's ``lava.proc.lif`` package (caldera-lava)."""
