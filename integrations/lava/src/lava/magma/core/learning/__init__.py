"""Lava's ``lava.magma.core.learning`` package (caldera-lava)."""
