"""lava-dl's ``lava.lib.dl`` (caldera-lava): only ``lava.lib.dl.netx`` is mapped (onto caldera-dl's netx reader);
SLAYER training is caldera-dl's own API."""
