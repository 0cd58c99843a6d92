"""Lava's ``lava.utils`` package (caldera-lava)."""
