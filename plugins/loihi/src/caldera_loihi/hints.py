"""Messages shared by the plugin module and the models (kept apart so that loading the plugin imports no model)."""

CONVERT_HINT = (
    "the loihi backend runs fixed_pt (integer) models only; turn a floating_pt network into fixed_pt "
    "parameters with caldera_loihi.convert.to_fixed(...)"
)
