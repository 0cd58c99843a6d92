"""Lava's ``lava.lib`` namespace (caldera-lava): the Lava libraries caldera has — ``lava.lib.dnf`` (caldera-dnf),
``lava.lib.optimization`` (caldera-optim) and ``lava.lib.dl.netx`` (caldera-dl)."""
