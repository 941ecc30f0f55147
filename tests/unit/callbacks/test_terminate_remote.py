"""TerminateOnNaN in real fits; RemoteMonitor against a loopback HTTP server."""
import http.server
import json
import threading
import urllib.parse

import numpy as np
import pytest

import layerkit
from layerkit import callbacks, layers


def _diverging_model():
    model = layerkit.Sequential([layers.Dense(1, input_shape=(2,))])
    model.compile(layerkit.optimizers.SGD(1e19), "mse")
    return model


@pytest.mark.parametrize("raise_error", [False, True])
def test_terminate_on_nan_stops_at_the_first_bad_batch(capsys, raise_error):
    x = np.full((64, 2), 10.0, "float32")
    y = np.ones((64, 1), "float32")
    ends = []
    tail = callbacks.LambdaCallback(on_train_end=lambda logs: ends.append(logs))
    cb = callbacks.TerminateOnNaN(raise_error=raise_error)
    if raise_error:
        with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch"):
            _diverging_model().fit(x, y, epochs=5, batch_size=4, verbose=0, callbacks=[cb, tail])
        assert ends == []
        return
    history = _diverging_model().fit(x, y, epochs=5, batch_size=4, verbose=0,
                                     callbacks=[cb, tail])
    assert history.epoch == [0] and len(ends) == 1
    out = capsys.readouterr().out
    batch = int(out.split("Batch ")[1].split(":")[0])
    assert 0 < batch < 15 and ": Invalid loss, terminating training" in out


def test_terminate_on_nan_leaves_finite_training_alone():
    x = np.ones((8, 2), "float32")
    model = layerkit.Sequential([layers.Dense(1, input_shape=(2,))])
    model.compile("sgd", "mse")
    history = model.fit(x, x[:, :1], epochs=3, verbose=0, callbacks=[callbacks.TerminateOnNaN()])
    assert history.epoch == [0, 1, 2]
    with pytest.raises(ValueError, match="`raise_error` must be True or False"):
        callbacks.TerminateOnNaN(raise_error="yes")


class _Recorder(http.server.BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, dict(self.headers), body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    _Recorder.received = []
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", _Recorder.received
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("send_as_json", [False, True])
def test_remote_monitor_posts_each_epoch(server, send_as_json):
    root, received = server
    x = np.ones((8, 2), "float32")
    model = layerkit.Sequential([layers.Dense(1, input_shape=(2,))])
    model.compile("sgd", "mse")
    monitor = callbacks.RemoteMonitor(root=root, path="/epoch/", field="payload",
                                      headers={"X-Run": "seed"}, send_as_json=send_as_json)
    history = model.fit(x, x[:, :1], epochs=2, verbose=0, callbacks=[monitor])
    assert [r[0] for r in received] == ["/epoch/", "/epoch/"]
    for epoch, (_, headers, body) in enumerate(received):
        assert headers["X-Run"] == "seed"
        if send_as_json:
            assert headers["Content-Type"] == "application/json"
            data = json.loads(body)
        else:
            form = urllib.parse.parse_qs(body.decode())
            data = json.loads(form["payload"][0])
        assert data == {"epoch": epoch, "loss": history.history["loss"][epoch]}


def test_remote_monitor_warns_when_the_server_is_unreachable(server):
    root, _ = server
    port = int(root.rsplit(":", 1)[1])
    monitor = callbacks.RemoteMonitor(root=f"http://127.0.0.1:{port + 1 if port < 65535 else 1}",
                                      timeout=2)
    with pytest.warns(UserWarning, match="Could not reach RemoteMonitor root server"):
        monitor.on_epoch_end(0, {"loss": 1.0})
    with pytest.raises(ValueError, match="`headers` must be a dict"):
        callbacks.RemoteMonitor(headers=["a"])
