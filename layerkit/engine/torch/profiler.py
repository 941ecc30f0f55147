"""A trace of some training steps for TensorBoard, with torch.profiler (its
TensorBoard handler writes `<worker>.pt.trace.json` files under the folder)."""
import torch

_active = None


def start_trace(log_dir):
    global _active
    activities = [torch.profiler.ProfilerActivity.CPU]
    if torch.cuda.is_available():
        activities.append(torch.profiler.ProfilerActivity.CUDA)
    _active = torch.profiler.profile(
        activities=activities, on_trace_ready=torch.profiler.tensorboard_trace_handler(log_dir))
    _active.start()


def stop_trace():
    global _active
    profiler, _active = _active, None
    if profiler is not None:
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        profiler.stop()     # calls the handler, which writes the trace file
