"""Lava's ``lava.proc.receiver`` package (caldera-lava)."""
