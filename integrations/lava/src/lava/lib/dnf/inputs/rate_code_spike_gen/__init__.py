"""lava-dnf's ``lava.lib.dnf.inputs.rate_code_spike_gen`` package (caldera-lava; needs caldera-dnf)."""
