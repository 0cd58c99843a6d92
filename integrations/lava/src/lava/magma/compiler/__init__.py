"""Lava's ``lava.magma.compiler`` package (caldera-lava)."""
