"""A stand-in of Kannel's sendsms for the crash test: accepts every message (202, as Kannel does)
and appends one JSON line per request to the log named last on the command line: our message id
(from the dlr-url hotline adds) and the recipient. Prints its port first."""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

log_path = sys.argv[-1]
lock = threading.Lock()


class Sink(BaseHTTPRequestHandler):
    def do_GET(self):
        query = parse_qs(urlparse(self.path).query)
        dlr = parse_qs(urlparse(query.get("dlr-url", [""])[0]).query)
        with lock, open(log_path, "a", encoding="utf-8") as log:
            log.write(json.dumps({"message": dlr.get("message", [""])[0], "to": query.get("to", [""])[0]}) + "\n")
        body = b"0: Accepted for delivery"
        self.send_response(202)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
print(server.server_address[1], flush=True)
server.serve_forever()
