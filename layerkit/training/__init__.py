"""compile/fit/evaluate/predict, data adapters and the step's engine-neutral pieces."""
