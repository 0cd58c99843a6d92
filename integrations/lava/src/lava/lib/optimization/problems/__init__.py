"""lava-optimization's ``lava.lib.optimization.problems`` package (caldera-lava; needs caldera-optim)."""
