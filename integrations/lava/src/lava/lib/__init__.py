"""Lava's ``lava.lib`` package (caldera-lava)."""
