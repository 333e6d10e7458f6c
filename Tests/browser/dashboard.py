"""The dashboard in a real browser: Debian's headless Chromium driven through Selenium.

Run by Tests/HotlineEndToEndTests/DashboardBrowserTests against a fresh `hotline serve`:
    python3 dashboard.py BASE_URL LOGIN PASSWORD SCREENSHOT_DIR

It texts the hotline a fixture month of four cases through the JSON webhook (and the members'
and residents' answers), then logs in, opens every page, checks the counts and the three rates
the fixture gives (hand-computed below), reassigns a case through the form and finds it in the
audit trail, sends a notice through the preview, switches to English, saves each page at phone
and desktop widths, and fails on any browser console error.
"""
import json
import os
import re
import sys
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

BASE, LOGIN, PASSWORD, SHOTS = sys.argv[1:5]
failures = []


# Words of the code that a Chinese page must not show: roles, sectors, routing reasons, case and
# notice states, message statuses, audit-trail kinds and actors.
ENGLISH_WORDS = ["member", "liaison", "coordinator", "auditor", "medical", "legal", "housing", "agriculture", "economy", "education",
                 "linked-sector-fit", "linked-area", "duty", "received", "queued", "sending", "sent", "delivered", "failed", "cancelled",
                 "draft", "opted-out", "invalid-number", "assigned", "accepted", "replied", "closed", "surveyed", "reopened", "with-department",
                 "opened", "reassigned", "reminded", "overdue", "held", "refused", "note", "resident", "system", "staff"]


def check(condition, what):
    if not condition:
        failures.append(what)
        print("FAIL:", what, flush=True)


def text(sender, body, n=[0]):
    n[0] += 1
    data = json.dumps({"id": "b%d" % n[0], "from": sender, "to": "10690001", "text": body}).encode()
    req = urllib.request.Request(BASE + "/webhooks/json", data=data, headers={"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))


# The fixture month (all today): 4 cases assigned; 1 and 3 accepted in time, 2 and 4 never;
# 1 closed resolved and answered "satisfied" (1), 3 closed unresolved and answered "basically
# satisfied" (2; "not satisfied" would reopen it). Response rate 2/4 = 50.0%, resolution rate
# 1/2 = 50.0% (unresolved counts against it), satisfaction rate 2/2 = 100.0%.
RESIDENTS = {1: "+8613700000001", 2: "+8613700000021", 3: "+8613700000033", 4: "+8613700000044"}
text(RESIDENTS[1], "小区停水三天了,一直没人管")
text(RESIDENTS[2], "燕村的路坏了,没人修")
text(RESIDENTS[3], "龙湖社区楼上装修太吵了,天天到半夜")
text(RESIDENTS[4], "谭家庄村的垃圾没人清运")


def chrome(width):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--lang=zh-CN",
                "--window-size=%d,900" % width]:
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # Debian's driver, named explicitly: Selenium's own manager would try to download a browser.
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def submit_and_wait(driver, element, form_submit=False):
    """Clicks (or submits) and waits until the browser has left the page (a login checks bcrypt)."""
    old = driver.find_element(By.TAG_NAME, "html")
    element.submit() if form_submit else element.click()
    WebDriverWait(driver, 30).until(left(old))
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")


def left(element):
    """Whether the page `element` belongs to has gone. Selenium's staleness_of waits for its own
    'stale element' error; Chromium 156 sometimes answers a node of the old page with 'does not
    belong to the document' instead, which is the same news."""
    def check(_driver):
        try:
            element.is_enabled()
            return False
        except WebDriverException:
            return True
    return check


def console_errors(driver, where):
    for entry in driver.get_log("browser"):
        if entry.get("level") == "SEVERE":
            check(False, "console error on %s: %s" % (where, entry.get("message")))


def login(driver):
    driver.get(BASE + "/dashboard")
    check("/login" in driver.current_url, "no session: the dashboard sends to the login page")
    driver.find_element(By.ID, "login").send_keys(LOGIN)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    submit_and_wait(driver, driver.find_element(By.ID, "submit"))
    check(driver.current_url.endswith("/dashboard"), "after login, the today page (at %s)" % driver.current_url)


def member_phone(driver, member_id):
    for row in driver.find_elements(By.CSS_SELECTOR, "#members tbody tr"):
        if row.get_attribute("id").endswith("-" + member_id):
            return row
    return None


desktop = chrome(1280)
try:
    login(desktop)
    # Who holds cases 1 and 3, as the case pages show them; their phones from the config's roster.
    roster = {"M1": "+8613800000001", "M2": "+8613800000002", "M3": "+8613800000003", "M4": "+8613800000004",
              "M5": "+8613800000005", "M6": "+8613800000006", "L1": "+8613900000001", "L2": "+8613900000002"}
    holders = {}
    for n in (1, 3):
        desktop.get(BASE + "/dashboard/cases/xujiawan/%d" % n)
        options = [o.get_attribute("value") for o in desktop.find_elements(By.CSS_SELECTOR, "#reassign-to option")]
        holders[n] = next(m for m in roster if m not in options)
    text(roster[holders[1]], "接 1")
    text(roster[holders[1]], "办结 1 已恢复供水")
    text(RESIDENTS[1], "1")
    text(roster[holders[3]], "接 3")
    text(roster[holders[3]], "无法解决 3 需要区里协调物业")
    text(RESIDENTS[3], "2")

    pages = {}
    desktop.get(BASE + "/dashboard")
    tile = lambda i: desktop.find_element(By.CSS_SELECTOR, "#tile-%s .count" % i).text
    check(tile("received-today") == "4", "today: 4 received (%s)" % tile("received-today"))
    check(tile("awaiting") == "2", "today: 2 awaiting acceptance (%s)" % tile("awaiting"))
    check(tile("overdue") == "0", "today: none overdue (%s)" % tile("overdue"))
    pages["today"] = "/dashboard"

    desktop.get(BASE + "/dashboard/cases")
    rows = desktop.find_elements(By.CSS_SELECTOR, "#cases tbody tr")
    check(len(rows) == 4, "cases board: 4 rows (%d)" % len(rows))
    desktop.get(BASE + "/dashboard/cases?state=surveyed")
    check(len(desktop.find_elements(By.CSS_SELECTOR, "#cases tbody tr")) == 2, "cases board filtered to surveyed: cases 1 and 3")
    pages["cases"] = "/dashboard/cases?sort=deadline"

    # Reassign case 2 through the form; the audit trail shows it, with who did it.
    desktop.get(BASE + "/dashboard/cases/xujiawan/2")
    Select(desktop.find_element(By.ID, "reassign-to")).select_by_value("M6")
    submit_and_wait(desktop, desktop.find_element(By.ID, "reassign-submit"))
    check(desktop.find_element(By.ID, "case-member").text == "陈委员", "case 2 now with 陈委员 (%s)" % desktop.find_element(By.ID, "case-member").text)
    audit = desktop.find_element(By.ID, "audit").text
    # In Chinese: 改派 by 工作人员 LOGIN, to M6 (陈委员, by name).
    check("改派" in audit and "工作人员 " + LOGIN in audit and "陈委员" in audit, "the audit trail records the reassignment: %s" % audit[-300:])
    pages["case"] = "/dashboard/cases/xujiawan/1"

    desktop.get(BASE + "/dashboard/members")
    row = member_phone(desktop, holders[1])
    check(row is not None and row.find_element(By.CSS_SELECTOR, ".response").text == "100.0%", "members: case 1's member answered in time")
    check(member_phone(desktop, "M6").find_element(By.CSS_SELECTOR, ".open").text == "1", "members: 陈委员 holds case 2 (case 3 is closed)")
    pages["members"] = "/dashboard/members"

    # A notice through the preview: six members, then sent; its page shows nobody has answered yet.
    desktop.get(BASE + "/dashboard/notices")
    form = desktop.find_element(By.ID, "notice-form")
    Select(form.find_element(By.NAME, "kind")).select_by_value("general")
    form.find_element(By.NAME, "title").send_keys("本周五停水通知")
    form.find_element(By.NAME, "to_members").click()
    submit_and_wait(desktop, form, form_submit=True)
    check(desktop.find_element(By.ID, "preview-recipients").text == "6", "notice preview: 6 recipients")
    submit_and_wait(desktop, desktop.find_element(By.ID, "send"))
    check("/dashboard/notices/xujiawan/1" in desktop.current_url, "the notice's page after sending (%s)" % desktop.current_url)
    check(desktop.find_element(By.ID, "tally-coming").text == "0", "the notice's tally")
    pages["notices"] = "/dashboard/notices/xujiawan/1"

    desktop.get(BASE + "/dashboard/reports")
    for rate, value, counts in [("response", "50.0%", "(2/4)"), ("resolution", "50.0%", "(1/2)"), ("satisfaction", "100.0%", "(2/2)")]:
        tile_text = desktop.find_element(By.ID, "rate-" + rate).text
        check(value in tile_text and counts in tile_text, "reports: %s rate %s %s (%s)" % (rate, value, counts, tile_text))
    month = desktop.find_element(By.ID, "report-month").text
    points = sorted(t.text for t in desktop.find_elements(By.CSS_SELECTOR, "#chart-trend text.value") if t.get_attribute("data-label") == month[2:])
    check(points == ["100.0%", "50.0%", "50.0%"], "the trend chart carries this month's three rates as text (%s)" % points)
    check("100.0%" in desktop.find_element(By.ID, "chart-member").get_attribute("innerHTML"), "the member chart carries its numbers")
    pages["reports"] = "/dashboard/reports"

    desktop.get(BASE + "/dashboard?lang=en")
    check("Received today" in desktop.page_source and desktop.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en", "English")
    desktop.get(BASE + "/dashboard?lang=zh")
    check(desktop.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN", "back to Chinese")
    console_errors(desktop, "desktop pages")

    # Every page at desktop and phone widths.
    cookie = desktop.get_cookie("hl_session")
    os.makedirs(SHOTS, exist_ok=True)
    phone = chrome(360)
    try:
        phone.get(BASE + "/login")
        phone.add_cookie({"name": "hl_session", "value": cookie["value"], "path": "/"})
        for name, path in pages.items():
            for driver, width in ((desktop, "desktop"), (phone, "phone")):
                driver.get(BASE + path)
                height = driver.execute_script("return document.body.scrollHeight")
                driver.set_window_size(1280 if width == "desktop" else 360, min(max(height + 40, 700), 4000))
                driver.save_screenshot(os.path.join(SHOTS, "%s-%s.png" % (name, width)))
                overflow = driver.execute_script("return document.documentElement.scrollWidth > window.innerWidth + 1")
                check(not overflow or width == "desktop", "%s fits a 360-px phone without sideways scrolling" % name)
                if width == "desktop":
                    shown = driver.find_element(By.TAG_NAME, "main").text if driver.find_elements(By.TAG_NAME, "main") else driver.find_element(By.TAG_NAME, "body").text
                    english = sorted(set(w for w in ENGLISH_WORDS if re.search(r"(?<![A-Za-z-])%s(?![A-Za-z-])" % re.escape(w), shown)))
                    check(not english, "%s shows no English role, sector, reason, state or status on a Chinese page (%s)" % (name, english))
        console_errors(phone, "phone pages")
    finally:
        phone.quit()
finally:
    desktop.quit()

print(json.dumps({"failures": failures, "screenshots": sorted(os.listdir(SHOTS)) if os.path.isdir(SHOTS) else []}))
sys.exit(1 if failures else 0)
