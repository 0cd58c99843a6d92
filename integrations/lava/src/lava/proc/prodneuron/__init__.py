"""Lava's ``lava.proc.prodneuron`` package (caldera-lava)."""
