"""A small JSON-RPC client that drives `md2models lsp` over stdio, as an
editor does: for the tests and `bench/lsp.py`."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Optional

REPO = Path(__file__).resolve().parents[1]


class LspClient:
    """One server process; messages from it are read by a thread and queued."""

    def __init__(self, cwd: Path, command: Optional[list[str]] = None):
        """`command`: the server to start (default: this checkout's)."""
        environment = {**os.environ, "PYTHONPATH": str(REPO)}
        command = command or [sys.executable, "-m", "generator.cli", "lsp"]
        self.proc = subprocess.Popen(command, cwd=cwd, env=environment,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.inbox: queue.Queue[dict[str, Any]] = queue.Queue()
        self.notifications: list[dict[str, Any]] = []
        self.responses: dict[int, dict[str, Any]] = {}
        self.server_requests: list[dict[str, Any]] = []
        self.next_id = 0
        self.stderr: list[bytes] = []  # read as it comes, so that the server never blocks on a full pipe
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read(self) -> None:
        stream = self.proc.stdout
        assert stream is not None
        while True:
            length = 0
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            self.inbox.put(json.loads(stream.read(length)))

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr.append(line)

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method: str, params: Any) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: Any, timeout: float = 60) -> dict[str, Any]:
        """The whole response (`result` or `error`); server requests are answered with null."""
        self.next_id += 1
        ident = self.next_id
        self.send({"id": ident, "method": method, "params": params})
        self._pump(lambda: ident in self.responses, timeout)
        return self.responses.pop(ident)

    def _pump(self, done: Callable[[], bool], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no answer from the language server")
            try:
                message = self.inbox.get(timeout=remaining)
            except queue.Empty:
                continue
            if "id" in message and "method" in message:  # a request of the server's: registerCapability
                self.server_requests.append(message)
                self.send({"id": message["id"], "result": None})
            elif "id" in message:
                self.responses[message["id"]] = message
            else:
                self.notifications.append(message)

    def wait_for(self, method: str, match: Callable[[Any], bool] = lambda params: True,
                 timeout: float = 60) -> Any:
        """The params of the first unseen notification `method` that `match`es (it is consumed)."""
        def found() -> Optional[dict[str, Any]]:
            return next((n for n in self.notifications if n["method"] == method and match(n["params"])), None)
        self._pump(lambda: found() is not None, timeout)
        message = found()
        assert message is not None
        self.notifications.remove(message)
        return message["params"]

    def diagnostics(self, uri: str, timeout: float = 60) -> list[dict[str, Any]]:
        params = self.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri, timeout)
        return params["diagnostics"]  # type: ignore[no-any-return]

    def settle(self, pause: float = 0.5) -> None:
        """Forget the notifications so far, once pending (debounced) ones have come."""
        time.sleep(pause)
        self.request("textDocument/hover", {"textDocument": {"uri": "untitled:settle"},
                                            "position": {"line": 0, "character": 0}})
        self.notifications.clear()

    def initialize(self, root: Path) -> dict[str, Any]:
        capabilities = {"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": True},
                                      "workspaceEdit": {"documentChanges": True}}}
        result = self.request("initialize", {"processId": os.getpid(), "rootUri": root.as_uri(),
                                             "capabilities": capabilities})
        self.notify("initialized", {})
        return result

    def open(self, path: Path, text: Optional[str] = None) -> str:
        uri = path.as_uri()
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "markdown", "version": 1,
            "text": path.read_text(encoding="utf-8") if text is None else text}})
        return uri

    def change(self, uri: str, text: str, version: int) -> None:
        self.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                               "contentChanges": [{"text": text}]})

    def at(self, method: str, uri: str, line: int, character: int, **extra: Any) -> dict[str, Any]:
        return self.request(method, {"textDocument": {"uri": uri}, "position": {"line": line, "character": character},
                                     **extra})

    def stop(self, timeout: float = 30) -> int:
        """shutdown, exit: the server's exit status."""
        self.request("shutdown", None)
        self.notify("exit", None)
        try:
            return self.proc.wait(timeout)
        finally:
            self.close()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()
