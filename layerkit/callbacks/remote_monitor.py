"""`RemoteMonitor`: POSTs each epoch's logs to a server, with the standard library.

Keras uses `requests`; `urllib.request` sends the same request (a form field
holding the JSON, or a JSON body), so no extra dependency is needed.
"""
import json
import urllib.error
import urllib.parse
import urllib.request
import warnings

from layerkit.callbacks.callback import Callback, python_value

__all__ = ["RemoteMonitor"]


class RemoteMonitor(Callback):
    """Callback used to stream events to a server.

    At each epoch end it sends an HTTP POST to `root + path` with the epoch
    number and logs as JSON: as the form field `field` (form-encoded), or, with
    `send_as_json=True`, as an `application/json` body. An unreachable server
    gives a warning, not an error, as in Keras.

    Args:
        root: root URL of the server (default `"http://localhost:9000"`).
        path: path under `root` (default `"/publish/epoch/end/"`).
        field: the form field holding the data (form-encoded requests only).
        headers: a dict of extra HTTP headers.
        send_as_json: send a JSON body instead of a form.
        timeout: seconds to wait for the server (None: the socket default).
    """

    def __init__(self, root="http://localhost:9000", path="/publish/epoch/end/",
                 field="data", headers=None, send_as_json=False, timeout=None):
        super().__init__()
        for name, value in (("root", root), ("path", path), ("field", field)):
            if not isinstance(value, str):
                raise ValueError(f"RemoteMonitor: `{name}` must be a string, received "
                                 f"{value!r}.")
        if headers is not None and not isinstance(headers, dict):
            raise ValueError(f"RemoteMonitor: `headers` must be a dict, received {headers!r}.")
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers
        self.send_as_json = bool(send_as_json)
        self.timeout = timeout

    def _request(self, payload):
        headers = dict(self.headers or {})
        if self.send_as_json:
            body = json.dumps(payload).encode("utf-8")
            headers.setdefault("Content-Type", "application/json")
        else:
            body = urllib.parse.urlencode({self.field: json.dumps(payload)}).encode("ascii")
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        return urllib.request.Request(self.root + self.path, data=body, headers=headers,
                                      method="POST")

    def on_epoch_end(self, epoch, logs=None):
        payload = {"epoch": epoch}
        for key, value in (logs or {}).items():
            value = python_value(value)
            payload[key] = value.tolist() if hasattr(value, "tolist") else value
        request = self._request(payload)
        options = {} if self.timeout is None else {"timeout": self.timeout}
        try:
            with urllib.request.urlopen(request, **options) as response:
                response.read()
        except urllib.error.HTTPError as error:
            warnings.warn(f"RemoteMonitor: the server at {self.root + self.path} answered "
                          f"{error.code} {error.reason}", stacklevel=2)
        except (urllib.error.URLError, OSError):
            warnings.warn(f"Could not reach RemoteMonitor root server at {self.root}",
                          stacklevel=2)
