"""Lava's ``lava.magma.core.process`` package (caldera-lava)."""
