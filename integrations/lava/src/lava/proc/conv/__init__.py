"""Lava's ``lava.proc.conv`` package (caldera-lava)."""
