"""The request the official Aliyun SDK (alibabacloud-dysmsapi20170525 on tea-openapi) makes for SendSms:
sent to a local server that captures it, its path, headers and body printed as JSON. The Swift test
signs the same query and headers and must produce the same Authorization.

    sdk_request.py ACCESS_KEY_ID ACCESS_KEY_SECRET PHONE SIGN_NAME TEMPLATE_CODE TEMPLATE_PARAM OUT_ID
"""
import json, sys, threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_dysmsapi20170525 import models
from alibabacloud_tea_openapi import models as open_api_models
from alibabacloud_tea_util import models as util_models
seen = {}
class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_POST(self):
        seen["path"] = self.path
        seen["headers"] = dict(self.headers)
        seen["body"] = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        b = json.dumps({"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "r"}).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json"); self.send_header("Content-Length", str(len(b))); self.end_headers(); self.wfile.write(b)
s = HTTPServer(("127.0.0.1", 0), H)
threading.Thread(target=s.handle_request, daemon=True).start()
config = open_api_models.Config(access_key_id=sys.argv[1], access_key_secret=sys.argv[2], endpoint="127.0.0.1:%d" % s.server_address[1], protocol="http")
client = Client(config)
client.send_sms_with_options(models.SendSmsRequest(phone_numbers=sys.argv[3], sign_name=sys.argv[4], template_code=sys.argv[5], template_param=sys.argv[6], out_id=sys.argv[7]), util_models.RuntimeOptions())
print(json.dumps(seen, ensure_ascii=False))
