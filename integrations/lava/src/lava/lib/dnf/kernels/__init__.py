"""lava-dnf's ``lava.lib.dnf.kernels`` package (caldera-lava; needs caldera-dnf)."""
