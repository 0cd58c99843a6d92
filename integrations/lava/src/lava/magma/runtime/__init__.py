"""Lava's ``lava.magma.runtime`` package (caldera-lava)."""
