"""Lava's ``lava.proc.rf_iz`` package (caldera-lava)."""
