"""Lava's ``lava.proc.resfire`` package (caldera-lava)."""
