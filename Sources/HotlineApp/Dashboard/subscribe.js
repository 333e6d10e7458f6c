// The case page's subscribe button inside WeChat: the JS-SDK configured from the signed values the
// server put on #subscribe (no inline script: the page's CSP allows none).
(function () {
  var box = document.getElementById("subscribe");
  if (!box || typeof wx === "undefined") return;
  wx.config({
    debug: false,
    appId: box.dataset.appId,
    timestamp: Number(box.dataset.timestamp),
    nonceStr: box.dataset.nonce,
    signature: box.dataset.signature,
    jsApiList: ["checkJsApi"],
    openTagList: ["wx-open-subscribe"]
  });
  var button = document.getElementById("subscribe-button");
  if (!button) return;
  button.addEventListener("success", function (e) {
    var note = document.getElementById("subscribe-note");
    if (note) note.textContent = "已订阅,办理进度会通过微信通知您。";
  });
  button.addEventListener("error", function () {
    var note = document.getElementById("subscribe-note");
    if (note) note.textContent = "订阅没有成功,请稍后再试。";
  });
})();
