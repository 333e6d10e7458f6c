"""A stand-in of sms.tencentcloudapi.com for the end-to-end test: it checks each request's
TC3-HMAC-SHA256 signature with tencentcloud-sdk-python-common's own signer (Sign.sign_tc3) over the
canonical request the API documents, answers SendSms like the API (a SerialNo per send), and appends
every request to LOG as a JSON line.

    sms_standin.py SECRET_ID SECRET_KEY LOG      prints the port it listens on
"""
import hashlib, json, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from tencentcloud.common.sign import Sign

SECRET_ID, SECRET_KEY, LOG = sys.argv[1:4]
lock, sent = threading.Lock(), [0]


def expected_authorization(headers, payload):
    timestamp = headers["X-TC-Timestamp"]
    date = time.strftime("%Y-%m-%d", time.gmtime(int(timestamp)))
    canonical = "POST\n/\n\ncontent-type:%s\nhost:%s\n\ncontent-type;host\n%s" % (
        headers["Content-Type"], headers["Host"], hashlib.sha256(payload).hexdigest())
    scope = "%s/sms/tc3_request" % date
    to_sign = "TC3-HMAC-SHA256\n%s\n%s\n%s" % (timestamp, scope, hashlib.sha256(canonical.encode()).hexdigest())
    signature = Sign.sign_tc3(SECRET_KEY, date, "sms", to_sign)
    return "TC3-HMAC-SHA256 Credential=%s/%s, SignedHeaders=content-type;host, Signature=%s" % (SECRET_ID, scope, signature)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        payload = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = json.loads(payload or b"{}")
        signed = self.headers.get("Authorization") == expected_authorization(self.headers, payload)
        fresh = abs(time.time() - int(self.headers.get("X-TC-Timestamp", "0"))) < 300
        with lock:
            if not (signed and fresh):
                reply = {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "signature"}, "RequestId": "r"}}
            else:
                sent[0] += 1
                reply = {"Response": {"SendStatusSet": [{"SerialNo": "sn-%d" % sent[0], "PhoneNumber": body["PhoneNumberSet"][0], "Fee": 1,
                                                         "SessionContext": body.get("SessionContext"), "Code": "Ok", "Message": "send success"}],
                                      "RequestId": "r"}}
            with open(LOG, "a") as log:
                log.write(json.dumps({"action": self.headers.get("X-TC-Action"), "signed": signed, "fresh": fresh, "body": body,
                                      "answer": reply}, ensure_ascii=False) + "\n")
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
