"""The request tencentcloud-sdk-python-common makes for SendSms with the given payload: it is sent to a
local server that captures it, and its headers and body are printed as JSON. The Swift test signs
the same payload at the same time and must produce the same Authorization.

    sdk_request.py SECRET_ID SECRET_KEY PAYLOAD_JSON
"""
import json, sys, threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from tencentcloud.common import credential
from tencentcloud.common.common_client import CommonClient
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
seen = {}
class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_POST(self):
        seen["headers"] = dict(self.headers)
        seen["body"] = self.rfile.read(int(self.headers["Content-Length"])).decode()
        b = json.dumps({"Response": {"RequestId": "r", "SendStatusSet": []}}).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json"); self.send_header("Content-Length", str(len(b))); self.end_headers(); self.wfile.write(b)
s = HTTPServer(("127.0.0.1", 0), H)
threading.Thread(target=s.handle_request, daemon=True).start()
hp = HttpProfile(endpoint="127.0.0.1:%d" % s.server_address[1], protocol="http")
client = CommonClient("sms", "2021-01-11", credential.Credential(sys.argv[1], sys.argv[2]), "ap-guangzhou", profile=ClientProfile(httpProfile=hp))
client.call_json("SendSms", json.loads(sys.argv[3]))
print(json.dumps(seen, ensure_ascii=False))
