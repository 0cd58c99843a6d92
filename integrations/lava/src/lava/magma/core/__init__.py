"""Lava's ``lava.magma.core`` package (caldera-lava)."""
