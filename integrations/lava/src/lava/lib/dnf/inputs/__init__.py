"""lava-dnf's ``lava.lib.dnf.inputs`` package (caldera-lava; needs caldera-dnf)."""
