"""lava-dnf's ``lava.lib.dnf.utils`` package (caldera-lava; needs caldera-dnf)."""
