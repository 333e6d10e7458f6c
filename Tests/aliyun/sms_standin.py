"""A stand-in of dysmsapi.aliyuncs.com for the end-to-end test: it checks each request's
ACS3-HMAC-SHA256 signature with the official SDK's own function (tea-openapi's
Utils.get_authorization, over the headers the request says it signed), answers SendSms like the API
(a BizId per send), and appends every request to LOG as a JSON line.

    sms_standin.py ACCESS_KEY_ID ACCESS_KEY_SECRET LOG      prints the port it listens on
"""
import hashlib, json, sys, threading, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from alibabacloud_tea_openapi.utils import Utils

AK, SECRET, LOG = sys.argv[1:4]
lock, sent = threading.Lock(), [0]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        payload = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
        path, _, query = self.path.partition("?")
        params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        given = self.headers.get("Authorization", "")
        names = given.split("SignedHeaders=")[1].split(",")[0].split(";") if "SignedHeaders=" in given else []
        signed_headers = {n: self.headers.get(n, "") for n in names}
        request = SimpleNamespace(pathname=path, query=params, headers=signed_headers, method="POST")
        expected = Utils.get_authorization(request, "ACS3-HMAC-SHA256", hashlib.sha256(payload).hexdigest(), AK, SECRET)
        signed = given == expected and {"host", "x-acs-action", "x-acs-date", "x-acs-signature-nonce"} <= set(names)
        with lock:
            if signed:
                sent[0] += 1
                reply = {"Code": "OK", "Message": "OK", "BizId": "biz-%d^0" % sent[0], "RequestId": "r"}
            else:
                reply = {"Code": "SignatureDoesNotMatch", "Message": "signature", "RequestId": "r"}
            with open(LOG, "a") as log:
                log.write(json.dumps({"action": self.headers.get("x-acs-action"), "signed": signed, "query": params, "answer": reply},
                                     ensure_ascii=False) + "\n")
        data = json.dumps(reply).encode()
        self.send_response(200 if signed else 400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
