"""A small LSP client over stdio (standard library only), used to drive qcls and
vscode-json-language-server the same way.

Every message the server sends is time-stamped by the reader thread as soon as its body has
been read, before it is decoded, so the figures do not include this client's JSON decoding of
large answers. Requests the server sends to the client (workspace/configuration,
window/workDoneProgress/create, client/registerCapability...) are answered at once.
"""

import json
import os
import queue
import subprocess
import threading
import time
from pathlib import Path

# The capabilities both servers get: those of VS Code that change what a server sends
# (markdown hover and completion documentation, snippets, documentation resolved per item,
# diagnostics with versions, tags and related information). Pull diagnostics are not
# offered, so both servers push (the JSON server switches to pull mode otherwise, with
# different timing that only VS Code's client scheduling would make comparable).
CLIENT_CAPABILITIES = {
    "general": {"positionEncodings": ["utf-16"]},
    "workspace": {
        "configuration": True,
        "didChangeConfiguration": {"dynamicRegistration": False},
        "workspaceFolders": True,
    },
    "window": {"workDoneProgress": True},
    "textDocument": {
        "synchronization": {"dynamicRegistration": False, "didSave": True,
                            "willSave": True, "willSaveWaitUntil": True},
        "publishDiagnostics": {"relatedInformation": True, "versionSupport": True,
                               "tagSupport": {"valueSet": [1, 2]},
                               "codeDescriptionSupport": True, "dataSupport": True},
        "completion": {
            "dynamicRegistration": False,
            "contextSupport": True,
            "completionItem": {
                "snippetSupport": True,
                "commitCharactersSupport": True,
                "documentationFormat": ["markdown", "plaintext"],
                "deprecatedSupport": True,
                "preselectSupport": True,
                "tagSupport": {"valueSet": [1]},
                "insertReplaceSupport": True,
                "resolveSupport": {"properties": ["documentation", "detail",
                                                  "additionalTextEdits"]},
                "insertTextModeSupport": {"valueSet": [1, 2]},
                "labelDetailsSupport": True,
            },
            "insertTextMode": 2,
            "completionItemKind": {"valueSet": list(range(1, 26))},
            "completionList": {"itemDefaults": ["commitCharacters", "editRange",
                                                "insertTextFormat", "insertTextMode", "data"]},
        },
        "hover": {"dynamicRegistration": False, "contentFormat": ["markdown", "plaintext"]},
    },
}

CLIENT_INFO = {"name": "Visual Studio Code", "version": "1.95.0"}


def file_uri(path):
    return Path(path).resolve().as_uri()


def rss_kib(pid):
    """(VmRSS, VmHWM) of a process in KiB, from /proc/PID/status."""
    rss = hwm = None
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1])
    return rss, hwm


def cpu_ticks(pid):
    """User + system CPU time of a process (all its threads), in clock ticks."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def wait_idle(pids, quiet=0.1, limit=5.0):
    """Waits until none of the processes uses CPU for `quiet` seconds (at most `limit`
    seconds), so that one server's background work (V8's garbage collector after a large
    document, a drop of a large tree) does not land on the other's measurement on a 2-core
    machine. Returns the seconds waited."""
    t0 = time.perf_counter()
    last = [cpu_ticks(p) for p in pids]
    while time.perf_counter() - t0 < limit:
        time.sleep(quiet)
        now = [cpu_ticks(p) for p in pids]
        if now == last:
            break
        last = now
    return time.perf_counter() - t0


class LspError(Exception):
    pass


class Server:
    """One language server process. `settings` is what workspace/configuration and
    workspace/didChangeConfiguration carry (both servers get the same object)."""

    def __init__(self, name, argv, root, settings, stderr_path, timeout=120.0):
        self.name = name
        self.settings = settings
        self.timeout = timeout
        self.stderr = open(stderr_path, "ab")
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.stderr, cwd=root)
        self.pid = self.proc.pid
        self.inbox = queue.Queue()
        self.write_lock = threading.Lock()
        self.next_id = 0
        self.logs = []  # window/logMessage texts, in order
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        result = self.request("initialize", {
            "processId": os.getpid(),
            "clientInfo": CLIENT_INFO,
            "locale": "en",
            "rootUri": file_uri(root),
            "rootPath": str(Path(root).resolve()),
            "workspaceFolders": [{"uri": file_uri(root), "name": Path(root).name}],
            "capabilities": CLIENT_CAPABILITIES,
            "initializationOptions": {"provideFormatter": True,
                                      "handledSchemaProtocols": ["file"]},
        })
        self.capabilities = result.get("capabilities", {})
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": settings})

    # -- transport -------------------------------------------------------------------------

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    self.inbox.put((time.perf_counter(), None))
                    return
                line = line.strip()
                if not line:
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            body = b""
            while len(body) < length:
                chunk = out.read(length - len(body))
                if not chunk:
                    self.inbox.put((time.perf_counter(), None))
                    return
                body += chunk
            t = time.perf_counter()
            # Requests from the server are answered here, at once: the main thread may be
            # waiting for something that comes only after the answer.
            if b'"window/logMessage"' in body[:200]:
                self.logs.append(json.loads(body)["params"].get("message", ""))
                continue
            if b'"method"' in body and b'"id"' in body:
                msg = json.loads(body)
                if "method" in msg and "id" in msg:
                    self._answer(msg)
                    continue
            self.inbox.put((t, body))

    def _answer(self, msg):
        result = None
        if msg["method"] == "workspace/configuration":
            result = []
            for item in msg["params"].get("items", []):
                section = item.get("section")
                value = self.settings
                for part in (section.split(".") if section else []):
                    value = value.get(part) if isinstance(value, dict) else None
                result.append(value)
        self._send({"jsonrpc": "2.0", "id": msg["id"], "result": result})

    def _send(self, msg):
        """Encodes and writes a message; returns the time just before the write (this
        client's encoding of a large document is not counted)."""
        body = json.dumps(msg, separators=(",", ":")).encode()
        data = b"Content-Length: %d\r\n\r\n" % len(body) + body
        with self.write_lock:
            t = time.perf_counter()
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        return t

    def notify(self, method, params):
        """Sends a notification; returns the time just before it was written."""
        return self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait_for(self, what, pred, timeout=None):
        """The first message for which pred(msg) holds, and the time it arrived; others are
        dropped."""
        deadline = time.perf_counter() + (timeout or self.timeout)
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise LspError(f"{self.name}: no {what} within {timeout or self.timeout} s")
            try:
                t, body = self.inbox.get(timeout=left)
            except queue.Empty:
                continue
            if body is None:
                raise LspError(f"{self.name}: the server closed its output (waiting for {what})")
            msg = json.loads(body)
            if pred(msg):
                return t, msg, len(body)

    def request(self, method, params, timeout=None, allow_error=False):
        """Sends a request; returns (seconds from write to answer, result, answer bytes)."""
        self.next_id += 1
        rid = self.next_id
        t0 = self._send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        t, msg, size = self.wait_for(method, lambda m: m.get("id") == rid and "method" not in m,
                                     timeout)
        if "error" in msg and not allow_error:
            raise LspError(f"{self.name}: {method} failed: {msg['error']}")
        if method == "initialize":
            return msg["result"]
        return t - t0, msg.get("result"), size

    # -- documents -------------------------------------------------------------------------

    def open(self, uri, language_id, version, text):
        return self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": language_id, "version": version, "text": text}})

    def close(self, uri):
        self.notify("textDocument/didClose", {"textDocument": {"uri": uri}})

    def change(self, uri, version, start, end, text):
        return self.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"range": {"start": start, "end": end}, "text": text}]})

    def diagnostics(self, uri, version=None, pred=None, timeout=None):
        """The next publishDiagnostics for uri that is for `version` (when the server says
        which version it is for: the JSON server does not) and satisfies pred(diagnostics).
        Returns (arrival time, diagnostics)."""
        def match(m):
            if m.get("method") != "textDocument/publishDiagnostics":
                return False
            p = m["params"]
            if p["uri"] != uri:
                return False
            if version is not None and p.get("version") is not None and p["version"] != version:
                return False
            return pred is None or pred(p["diagnostics"])
        t, msg, _ = self.wait_for("publishDiagnostics", match, timeout)
        return t, msg["params"]["diagnostics"]

    def memory(self):
        return rss_kib(self.pid)

    def shutdown(self):
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            self.proc.wait()
        self.stderr.close()


def position(text, needle, shift=0, nth=0):
    """LSP position (line, UTF-16 character) of the nth occurrence of needle, plus shift."""
    offset = -1
    for _ in range(nth + 1):
        offset = text.find(needle, offset + 1)
        if offset < 0:
            raise ValueError(f"{needle!r} not in the document")
    return offset_to_position(text, offset + shift)


def offset_to_position(text, offset):
    line = text.count("\n", 0, offset)
    start = text.rfind("\n", 0, offset) + 1
    char = len(text[start:offset].encode("utf-16-le")) // 2
    return {"line": line, "character": char}
