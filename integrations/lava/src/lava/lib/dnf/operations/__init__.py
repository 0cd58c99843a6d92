"""lava-dnf's ``lava.lib.dnf.operations`` package (caldera-lava; needs caldera-dnf)."""
