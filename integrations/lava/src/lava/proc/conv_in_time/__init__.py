"""Lava's ``lava.proc.conv_in_time`` package (caldera-lava)."""
