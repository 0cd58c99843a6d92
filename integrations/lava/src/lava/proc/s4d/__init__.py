"""Lava's ``lava.proc.s4d`` package: the S4D neurons (caldera-lava)."""
