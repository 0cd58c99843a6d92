"""lava-optimization's ``lava.lib.optimization.solvers`` package (caldera-lava; needs caldera-optim)."""
