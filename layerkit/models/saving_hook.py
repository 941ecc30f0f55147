"""The bridge from Model's save/load methods up to layerkit.saving.

models sits below saving in the floors, so Model cannot import it: layerkit.saving
registers its functions here when it is imported. A model may be saved before the
user has imported layerkit.saving, so the first call loads it through the root
package's lazy loader (`layerkit.saving`), which registers the hook.
"""
_HOOK = {}


def set_saving_hook(**functions):
    """Called by layerkit.saving at import: save_model, save_weights, load_weights,
    model_to_json."""
    _HOOK.update(functions)


def saving_function(name):
    if name not in _HOOK:
        import layerkit
        getattr(layerkit, "saving")
    return _HOOK[name]


# `layerkit.models.load_model` & co. (Keras's `keras.models` names), through the hook.
def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    return saving_function("load_model")(filepath, custom_objects=custom_objects,
                                         compile=compile, safe_mode=safe_mode)


def save_model(model, filepath, overwrite=True, **kwargs):
    return saving_function("save_model")(model, filepath, overwrite=overwrite, **kwargs)


def model_from_json(json_string, custom_objects=None):
    return saving_function("model_from_json")(json_string, custom_objects=custom_objects)


def model_from_config(config, custom_objects=None):
    return saving_function("model_from_config")(config, custom_objects=custom_objects)
