"""Lava's ``lava.proc.clp.novelty_detector`` package (caldera-lava)."""
