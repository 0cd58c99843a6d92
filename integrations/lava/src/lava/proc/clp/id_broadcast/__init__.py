"""Lava's ``lava.proc.clp.id_broadcast`` package (caldera-lava)."""
