"""Lava's ``lava.magma`` package (caldera-lava)."""
