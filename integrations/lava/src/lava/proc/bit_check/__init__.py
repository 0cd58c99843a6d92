"""Lava's ``lava.proc.bit_check`` package (caldera-lava)."""
