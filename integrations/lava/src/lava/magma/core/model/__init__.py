"""Lava's ``lava.magma.core.model`` package (caldera-lava)."""
