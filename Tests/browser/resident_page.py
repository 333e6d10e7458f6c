"""The resident's page of their case in a real headless Chromium at 360 px (Debian's chromium and
chromium-driver through Selenium): the link from the acknowledgement opens the case, the member's
reply appears once the member has sent it, and the survey is answered by a button.

    resident_page.py BASE_URL LINK SHOTS_DIR     (run by ResidentPageBrowserTests)

Between the steps it reads a line from standard input (the test texts for the member meanwhile) and
prints one JSON line of what it saw.
"""
import json, sys
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

base, link, shots = sys.argv[1:4]


def chrome():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--lang=zh-CN"]:
        options.add_argument(arg)
    # A phone 360 px wide, as Chrome's device emulation makes it.
    options.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": 360, "height": 780, "pixelRatio": 2.0}})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def seen(driver, step):
    body = driver.find_element(By.TAG_NAME, "body").text
    report = {
        "step": step, "status_text": body[:2000],
        # Readable at 360 px: nothing wider than the screen.
        "scroll_width": driver.execute_script("return document.documentElement.scrollWidth"),
        "inner_width": driver.execute_script("return window.innerWidth"),
        "survey": len(driver.find_elements(By.ID, "survey-1")) > 0,
        "console_errors": [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"],
    }
    driver.save_screenshot("%s/resident-%s-phone.png" % (shots, step))
    print(json.dumps(report, ensure_ascii=False), flush=True)


def left(element):
    """Whether the page `element` belongs to has gone (Chromium may say so as 'stale' or as 'does not
    belong to the document')."""
    def check(_driver):
        try:
            element.is_enabled()
            return False
        except WebDriverException:
            return True
    return check


driver = chrome()
try:
    driver.get(link)
    seen(driver, "received")
    sys.stdin.readline()          # the member replies and closes the case
    driver.refresh()
    seen(driver, "closed")
    page = driver.find_element(By.TAG_NAME, "body")
    driver.find_element(By.ID, "survey-1").click()
    WebDriverWait(driver, 10).until(left(page))   # the answer posted, the page drawn again
    seen(driver, "answered")
    driver.get(base + "/c/" + "A" * 22)
    seen(driver, "forged")
finally:
    driver.quit()
