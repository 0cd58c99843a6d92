"""lava-dnf's ``lava.lib.dnf.connect`` package (caldera-lava; needs caldera-dnf)."""
