#!/usr/bin/env python3
"""A git smart-HTTP server for tests: `git http-backend` behind Basic auth on 127.0.0.1.

Usage: git_http_server.py ROOT LOG [CERT KEY]. Serves the bare repositories under ROOT
(over TLS with CERT and KEY, PEM files, when given); prints the port on its first line. Every request is appended to LOG as "METHOD PATH STATUS".
Passwords: "good" may fetch and push, "readonly" may fetch only (push: 403, as GitHub
answers a token without `contents: write`); anything else is 401.
"""
import base64
import http.server
import os
import subprocess
import sys

ROOT, LOG = sys.argv[1], sys.argv[2]


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def record(self, status):
        with open(LOG, "a") as f:
            f.write(f"{self.command} {self.path} {status}\n")

    def deny(self, status, reason):
        self.record(status)
        self.send_response(status, reason)
        if status == 401:
            self.send_header("WWW-Authenticate", 'Basic realm="bench-bot test"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def read_body(self):
        # libgit2 sends pushes with `Transfer-Encoding: chunked`.
        if "chunked" in self.headers.get("Transfer-Encoding", ""):
            body = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return body
                body += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def handle_any(self):
        auth = self.headers.get("Authorization", "")
        password = None
        if auth.startswith("Basic "):
            _, _, password = base64.b64decode(auth[6:]).decode().partition(":")
        push = "git-receive-pack" in self.path
        if password not in ("good", "readonly"):
            return self.deny(401, "Unauthorized")
        if push and password != "good":
            return self.deny(403, "Forbidden")
        path, _, query = self.path.partition("?")
        body = self.read_body()
        env = dict(os.environ, GIT_PROJECT_ROOT=ROOT, GIT_HTTP_EXPORT_ALL="1",
                   PATH_INFO=path, QUERY_STRING=query, REQUEST_METHOD=self.command,
                   CONTENT_TYPE=self.headers.get("Content-Type", ""),
                   CONTENT_LENGTH=str(len(body)), REMOTE_USER="tester", REMOTE_ADDR="127.0.0.1")
        out = subprocess.run(["git", "http-backend"], input=body, env=env,
                             capture_output=True).stdout
        head, _, payload = out.partition(b"\r\n\r\n")
        status = 200
        headers = []
        for line in head.decode().split("\r\n"):
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.split()[0])
            elif name:
                headers.append((name, value.strip()))
        self.record(status)
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = handle_any
    do_POST = handle_any


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
if len(sys.argv) > 4:
    import ssl
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[3], sys.argv[4])
    server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
