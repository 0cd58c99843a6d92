"""lava-dnf's ``lava.lib.dnf.inputs.gauss_pattern`` package (caldera-lava; needs caldera-dnf)."""
