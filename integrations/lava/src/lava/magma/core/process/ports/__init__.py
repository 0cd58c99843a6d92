"""Lava's ``lava.magma.core.process.ports`` package (caldera-lava)."""
