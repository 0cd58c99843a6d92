"""Lava's ``lava.proc.clp.nsm`` package (caldera-lava)."""
