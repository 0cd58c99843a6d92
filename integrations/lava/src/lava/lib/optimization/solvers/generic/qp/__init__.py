"""lava-optimization's ``lava.lib.optimization.solvers.generic.qp`` package (caldera-lava; needs caldera-optim)."""
