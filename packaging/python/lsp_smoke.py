"""LSP smoke test of an installed qcls, over stdio, with the standard library only.

    python lsp_smoke.py QCLS CONFIG CODE...

Starts `QCLS serve`, initializes, opens CONFIG (its text from disk, its real file URI, so
qcls pairs it with the model beside it as in an editor), waits for the publishDiagnostics of
that document and checks that every CODE is among its diagnostics' codes, then shuts the
server down and checks that it exits with status 0. Every wait has a deadline, and the server
is killed on any failure, so this never hangs.
"""

import json
import pathlib
import queue
import subprocess
import sys
import tempfile
import threading
import time

TIMEOUT = 30.0  # seconds for each answer the server owes; generous for a slow CI machine


class Failure(Exception):
    pass


class Server:
    def __init__(self, argv):
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr
        )
        self.inbox = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        out = self.proc.stdout
        try:
            while True:
                length = None
                while True:
                    line = out.readline()
                    if not line:
                        return
                    line = line.strip()
                    if not line:
                        break
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                if length is None:
                    raise Failure("a message without Content-Length")
                self.inbox.put(json.loads(out.read(length)))
        except Exception as e:  # the main thread reports it
            self.inbox.put(e)
        finally:
            self.inbox.put(None)

    def send(self, message):
        body = json.dumps(dict(message, jsonrpc="2.0")).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method, params):
        self.send({"method": method, "params": params})

    def request(self, method, params):
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        return self.wait(
            "the response to " + method,
            lambda m: m.get("id") == self.next_id and "method" not in m,
        )

    def wait(self, what, pred):
        """The first message that satisfies pred, answering the server's requests meanwhile."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failure("timed out after %.0f s waiting for %s" % (TIMEOUT, what))
            try:
                msg = self.inbox.get(timeout=left)
            except queue.Empty:
                continue
            if msg is None:
                raise Failure("qcls closed stdout while waiting for %s" % what)
            if isinstance(msg, Exception):
                raise Failure("reading from qcls: %r" % msg)
            if "method" in msg and "id" in msg:
                self._answer(msg)
            elif pred(msg):
                return msg

    def _answer(self, req):
        # No client capabilities are declared, so qcls should ask nothing; answer anyway.
        result = None
        if req["method"] == "workspace/configuration":
            result = [None for _ in req["params"]["items"]]
        self.send({"id": req["id"], "result": result})

    def stderr_text(self):
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")


def smoke(qcls, config, codes):
    path = pathlib.Path(config).resolve()
    uri = path.as_uri()
    server = Server([qcls, "serve"])
    try:
        init = server.request(
            "initialize",
            {
                "processId": None,
                "rootUri": path.parent.as_uri(),
                "capabilities": {},
                "clientInfo": {"name": "qcls-wheel-smoke"},
            },
        )
        if "result" not in init or "capabilities" not in init["result"]:
            raise Failure("initialize failed: %s" % json.dumps(init))
        server.notify("initialized", {})
        server.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": uri,
                    "languageId": "json",
                    "version": 1,
                    "text": path.read_text(encoding="utf-8"),
                }
            },
        )
        published = server.wait(
            "publishDiagnostics for " + uri,
            lambda m: m.get("method") == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == uri,
        )["params"]
        got = sorted({str(d.get("code")) for d in published["diagnostics"]})
        missing = [c for c in codes if c not in got]
        if missing:
            raise Failure("diagnostics lack %s; got %s" % (missing, got))
        print(
            "lsp smoke: %d diagnostics on %s (codes %s)"
            % (len(published["diagnostics"]), path.name, ", ".join(got))
        )
        shutdown = server.request("shutdown", None)
        if "error" in shutdown:
            raise Failure("shutdown failed: %s" % json.dumps(shutdown))
        server.notify("exit", None)
        server.proc.stdin.close()
        try:
            status = server.proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            raise Failure("qcls did not exit within %.0f s of exit" % TIMEOUT)
        if status != 0:
            raise Failure("qcls exited with status %d after shutdown and exit" % status)
        print("lsp smoke: initialize, didOpen, publishDiagnostics, shutdown, exit: ok")
    except (Failure, OSError) as e:
        if server.proc.poll() is None:
            server.proc.kill()
            server.proc.wait()
        sys.stderr.write("lsp smoke FAILED: %s\n--- qcls stderr ---\n%s" % (e, server.stderr_text()))
        sys.exit(1)


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    smoke(sys.argv[1], sys.argv[2], sys.argv[3:])
