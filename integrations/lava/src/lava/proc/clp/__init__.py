"""Lava's ``lava.proc.clp`` package: the continual-learning prototype (CLP) processes (caldera-lava)."""
