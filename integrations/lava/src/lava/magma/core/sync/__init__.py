"""Lava's ``lava.magma.core.sync`` package (caldera-lava)."""
