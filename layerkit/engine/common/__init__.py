"""Engine-neutral pieces of the backend: Variable, symbolic tensors, scopes, dtypes."""
