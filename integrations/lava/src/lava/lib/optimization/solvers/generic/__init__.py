"""lava-optimization's ``lava.lib.optimization.solvers.generic`` package (caldera-lava; needs caldera-optim)."""
