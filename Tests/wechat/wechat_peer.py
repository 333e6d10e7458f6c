"""WeChat's side of the end-to-end test, written with wechatpy (the library studios' own WeChat code
uses), so that hotline's signatures and encryption are judged by code nobody on the team wrote.

    wechat_peer.py api LOG        a stand-in of api.weixin.qq.com on a free port (printed): stable_token
                                  and message/custom/send; every call appended to LOG as a JSON line;
                                  POST /test/expire makes the token in force invalid (42001)
    wechat_peer.py push URL       the pushes of a follower's day to hotline's server URL, in plain and
                                  safe mode; prints one JSON object of what hotline answered
    wechat_peer.py event URL OPENID MSGID STATUS      a template message's fate (TEMPLATESENDJOBFINISH)
    wechat_peer.py text URL OPENID MSGID CONTENT      one text from a follower
    wechat_peer.py popup URL OPENID TEMPLATE STATUS   the follower's answer to the subscribe button
    wechat_peer.py sent URL OPENID TEMPLATE MSGID     a subscription notice's fate (subscribe_msg_sent_event)
    wechat_peer.py signature TICKET NONCE TIMESTAMP URL  the JS-SDK page signature, as wechatpy makes it
"""
import hashlib, json, random, string, sys, threading, time, urllib.error, urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN, AES_KEY, APP_ID, APP_SECRET = "tok3n-e2e", "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR", "wx5f2ae2e", "app-s3cret"


def api(log_path):
    state = {"issued": 0, "valid": None, "lock": threading.Lock()}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def answer(self, obj):
            body = json.dumps(obj).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            path, _, query = self.path.partition("?")
            params = dict(p.split("=", 1) for p in query.split("&") if "=" in p)
            if path != "/cgi-bin/ticket/getticket":
                self.send_response(404)
                self.end_headers()
                return
            with state["lock"]:
                valid = params.get("access_token") == state["valid"] and params.get("type") == "jsapi"
                reply = {"errcode": 0, "errmsg": "ok", "ticket": "TICKET-1", "expires_in": 7200} if valid else {"errcode": 42001, "errmsg": "expired"}
                with open(log_path, "a") as log:
                    log.write(json.dumps({"call": "ticket", "token": params.get("access_token"), "answer": reply["errcode"]}) + "\n")
            self.answer(reply)

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            path, _, query = self.path.partition("?")
            params = dict(p.split("=", 1) for p in query.split("&") if "=" in p)
            with state["lock"]:
                if path == "/test/expire":
                    state["valid"] = None
                    return self.answer({"expired": True})
                if path == "/cgi-bin/stable_token":
                    entry = {"call": "token", "force_refresh": body.get("force_refresh"), "appid": body.get("appid")}
                    if body.get("appid") != APP_ID or body.get("secret") != APP_SECRET:
                        reply = {"errcode": 40125, "errmsg": "invalid appsecret"}
                    else:
                        if state["valid"] is None or body.get("force_refresh"):
                            state["issued"] += 1
                            state["valid"] = "ACCESS-%d" % state["issued"]
                        reply = {"access_token": state["valid"], "expires_in": 7200}
                elif path == "/cgi-bin/message/custom/send":
                    token = params.get("access_token")
                    entry = {"call": "send", "token": token, "touser": body.get("touser"), "content": body.get("text", {}).get("content")}
                    if token != state["valid"]:
                        reply = {"errcode": 42001, "errmsg": "access_token expired"}
                    elif body.get("touser", "").startswith("oStale"):
                        # A follower who last wrote more than 48 hours ago.
                        reply = {"errcode": 45015, "errmsg": "response out of time limit or subscription is canceled"}
                    else:
                        reply = {"errcode": 0, "errmsg": "ok"}
                elif path == "/cgi-bin/message/template/send":
                    token = params.get("access_token")
                    entry = {"call": "template", "token": token, "touser": body.get("touser"), "template_id": body.get("template_id"),
                             "data": body.get("data")}
                    reply = {"errcode": 0, "errmsg": "ok", "msgid": 200228332} if token == state["valid"] else {"errcode": 42001, "errmsg": "expired"}
                elif path == "/cgi-bin/message/subscribe/bizsend":
                    token = params.get("access_token")
                    entry = {"call": "bizsend", "token": token, "touser": body.get("touser"), "template_id": body.get("template_id"),
                             "page": body.get("page"), "data": body.get("data")}
                    if token != state["valid"]:
                        reply = {"errcode": 42001, "errmsg": "expired"}
                    elif "Refuse" in body.get("touser", ""):
                        # A follower who never pressed the subscribe button, or turned it off.
                        reply = {"errcode": 43101, "errmsg": "user refuse to accept the msg"}
                    else:
                        reply = {"errcode": 0, "errmsg": "ok", "msgid": 1700827132819554304}
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                entry["answer"] = reply.get("errcode", 0)
                with open(log_path, "a") as log:
                    log.write(json.dumps(entry, ensure_ascii=False) + "\n")
            self.answer(reply)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


def sign(*parts):
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def push(url):
    from wechatpy.crypto import WeChatCrypto
    from wechatpy.utils import check_signature
    crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    out = {}

    def call(method, query, body=None):
        request = urllib.request.Request(url + "?" + "&".join("%s=%s" % kv for kv in query.items()), data=body, method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def query(ts=None, **extra):
        ts = ts or str(int(time.time()))
        nonce = "".join(random.choice(string.digits) for _ in range(9))
        q = {"signature": sign(TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce}
        check_signature(TOKEN, q["signature"], ts, nonce)  # wechatpy agrees it is WeChat's signature
        q.update(extra)
        return q

    def xml(openid, kind, **fields):
        inner = "".join("<%s><![CDATA[%s]]></%s>" % (k, v, k) for k, v in fields.items())
        return ("<xml><ToUserName><![CDATA[gh_e2e]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>"
                "<CreateTime>%d</CreateTime><MsgType><![CDATA[%s]]></MsgType>%s</xml>") % (openid, int(time.time()), kind, inner)

    def plain(openid, kind, **fields):
        return call("POST", query(openid=openid), xml(openid, kind, **fields).encode())

    def safe(openid, kind, **fields):
        q = query(openid=openid, encrypt_type="aes")
        encrypted = crypto.encrypt_message(xml(openid, kind, **fields), q["nonce"], q["timestamp"])
        q["msg_signature"] = encrypted.split("<MsgSignature><![CDATA[")[1].split("]]>")[0]
        status, body = call("POST", q, encrypted.encode())
        if body.startswith("<xml>"):
            import re
            sig, ts, nonce = (re.search(r"<%s>(?:<!\[CDATA\[)?([0-9a-zA-Z]+)" % n, body).group(1) for n in ("MsgSignature", "TimeStamp", "Nonce"))
            body = crypto.decrypt_message(body, sig, ts, nonce)  # raises if hotline's reply is not WeChat's
        return status, body

    out["handshake"] = call("GET", query(echostr="7381635391"))
    out["handshake_forged"] = call("GET", dict(query(echostr="1"), signature="0" * 40))
    out["handshake_stale"] = call("GET", query(ts=str(int(time.time()) - 3600), echostr="1"))
    out["text_plain"] = plain("oPlainResident01", "text", Content="小区3号楼的路灯坏了一个星期", MsgId="50001")
    out["text_plain_retried"] = plain("oPlainResident01", "text", Content="小区3号楼的路灯坏了一个星期", MsgId="50001")
    out["text_safe"] = safe("oSafeResident002", "text", Content="燕村路面塌了一个坑,很危险", MsgId="50002")
    out["text_stale"] = plain("oStaleFollower04", "text", Content="龙湖社区3号楼电梯坏了", MsgId="50004")
    out["subscribe_safe"] = safe("oNewFollower0003", "event", Event="subscribe")
    out["unsubscribe_plain"] = plain("oNewFollower0003", "event", Event="unsubscribe")
    out["forged_push"] = call("POST", dict(query(openid="oX"), signature="0" * 40), xml("oX", "text", Content="x", MsgId="1").encode())
    print(json.dumps(out, ensure_ascii=False))


def event(url, openid, msgid, status):
    """WeChat's push of a template message's fate (TEMPLATESENDJOBFINISH), in plain mode."""
    ts, nonce = str(int(time.time())), "1357911"
    query = "signature=%s&timestamp=%s&nonce=%s&openid=%s" % (sign(TOKEN, ts, nonce), ts, nonce, openid)
    body = ("<xml><ToUserName><![CDATA[gh_e2e]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName><CreateTime>%s</CreateTime>"
            "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event><MsgID>%s</MsgID>"
            "<Status><![CDATA[%s]]></Status></xml>") % (openid, ts, msgid, status)
    with urllib.request.urlopen(urllib.request.Request(url + "?" + query, data=body.encode(), method="POST"), timeout=10) as r:
        print(json.dumps([r.status, r.read().decode()]))


def plain_push(url, openid, inner):
    """One plain-mode push from `openid` with `inner` fields; prints [status, body]."""
    ts, nonce = str(int(time.time())), "24681012"
    query = "signature=%s&timestamp=%s&nonce=%s&openid=%s" % (sign(TOKEN, ts, nonce), ts, nonce, openid)
    body = ("<xml><ToUserName><![CDATA[gh_e2e]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>"
            "<CreateTime>%s</CreateTime>%s</xml>") % (openid, ts, inner)
    with urllib.request.urlopen(urllib.request.Request(url + "?" + query, data=body.encode(), method="POST"), timeout=10) as r:
        print(json.dumps([r.status, r.read().decode()], ensure_ascii=False))


def text(url, openid, msgid, content):
    plain_push(url, openid, "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[%s]]></Content><MsgId>%s</MsgId>" % (content, msgid))


def popup(url, openid, template, status):
    plain_push(url, openid, "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe_msg_popup_event]]></Event><SubscribeMsgPopupEvent>"
               "<List><TemplateId><![CDATA[%s]]></TemplateId><SubscribeStatusString><![CDATA[%s]]></SubscribeStatusString>"
               "<PopupScene>2</PopupScene></List></SubscribeMsgPopupEvent>" % (template, status))


def sent(url, openid, template, msgid):
    plain_push(url, openid, "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe_msg_sent_event]]></Event><SubscribeMsgSentEvent>"
               "<List><TemplateId><![CDATA[%s]]></TemplateId><MsgID>%s</MsgID><ErrorCode>0</ErrorCode>"
               "<ErrorStatus><![CDATA[success]]></ErrorStatus></List></SubscribeMsgSentEvent>" % (template, msgid))


def signature(ticket, nonce, timestamp, url):
    from wechatpy.client.api.jsapi import WeChatJSAPI
    print(json.dumps([WeChatJSAPI(None).get_jsapi_signature(nonce, ticket, int(timestamp), url)]))


if __name__ == "__main__":
    {"api": lambda: api(sys.argv[2]), "push": lambda: push(sys.argv[2]), "event": lambda: event(*sys.argv[2:6]),
     "text": lambda: text(*sys.argv[2:6]), "popup": lambda: popup(*sys.argv[2:6]), "sent": lambda: sent(*sys.argv[2:6]),
     "signature": lambda: signature(*sys.argv[2:6])}[sys.argv[1]]()
