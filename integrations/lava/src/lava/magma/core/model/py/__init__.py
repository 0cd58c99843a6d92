"""Lava's ``lava.magma.core.model.py`` package (caldera-lava)."""
