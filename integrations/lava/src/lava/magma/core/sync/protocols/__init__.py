"""Lava's ``lava.magma.core.sync.protocols`` package (caldera-lava)."""
