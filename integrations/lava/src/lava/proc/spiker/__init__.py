"""Lava's ``lava.proc.spiker`` package (caldera-lava)."""
