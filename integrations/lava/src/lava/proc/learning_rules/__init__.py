"""Lava's ``lava.proc.learning_rules`` package (caldera-lava)."""
