"""Lava's ``lava.magma.core.model.sub`` package (caldera-lava)."""
