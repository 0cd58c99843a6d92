"""Lava's ``lava.proc.atrlif`` package (caldera-lava)."""
