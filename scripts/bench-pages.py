#!/usr/bin/env python3
"""The pages' figures in a real browser: time to first byte, full load and weight of the
console's home (signed in) and the member's page (signed in), over N loads each, on loopback and
under an emulated slow connection; and the console's member search, posted N times over HTTPS.

    python3 scripts/bench-pages.py --console https://127.0.0.1:8400 --member https://127.0.0.1:8401 \
        --ca certs/demo/ca.pem --operator boss --password 'boss-Pass!' --card 6200000001 --pin 2468 \
        --search 13900000042 [--loads 50]

Needs what the browser tests need (scripts/install-test-deps.sh). Prints one JSON document.
Every load is a new navigation with the browser's cache off (the stylesheet fetched each time).
"""
import argparse, http.cookiejar, json, re, ssl, statistics, time, urllib.parse, urllib.request
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By


def browser(width, height):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--ignore-certificate-errors",
                     "--window-size=%d,%d" % (width, height), "--lang=zh-CN"]:
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    return driver


def sign_in(driver, url, fields):
    driver.get(url)
    for name, value in fields.items():
        driver.find_element(By.NAME, name).send_keys(value)
    driver.find_element(By.CSS_SELECTOR, "form.card button[type=submit]").click()
    time.sleep(1)


def percentiles(values):
    ordered = sorted(values)
    return {"p50": round(statistics.median(ordered), 1), "p99": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 1), "n": len(ordered)}


def loads(driver, url, count):
    ttfb, full, html, total = [], [], [], []
    for _ in range(count):
        driver.get(url)
        timing = driver.execute_script("""
            const n = performance.getEntriesByType('navigation')[0];
            const r = performance.getEntriesByType('resource');
            return {ttfb: n.responseStart - n.startTime, load: n.loadEventEnd - n.startTime, html: n.transferSize,
                    total: n.transferSize + r.reduce((s, e) => s + e.transferSize, 0)};""")
        ttfb.append(timing["ttfb"]); full.append(timing["load"]); html.append(timing["html"]); total.append(timing["total"])
    return {"ttfb_ms": percentiles(ttfb), "load_ms": percentiles(full), "html_bytes": int(statistics.median(html)), "bytes_with_css": int(statistics.median(total))}


def slow(driver):
    # Chrome's "Slow 3G": 400 ms round trip, 400 kbit/s each way.
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", {"offline": False, "latency": 400,
                                                                "downloadThroughput": 400 * 1024 / 8, "uploadThroughput": 400 * 1024 / 8})


def search(base, ca, operator, password, phone, count):
    # The console's own forms over HTTPS: the sign-in's CSRF cookie and field, then the search posted.
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), urllib.request.HTTPSHandler(context=ssl.create_default_context(cafile=ca)))
    page = opener.open(base + "/console").read().decode()
    token = re.search(r'name="csrf" value="([0-9a-f]{64})"', page).group(1)
    home = opener.open(base + "/console/login", urllib.parse.urlencode({"csrf": token, "operator": operator, "password": password}).encode()).read().decode()
    token = re.search(r'name="csrf" value="([0-9a-f]{64})"', home).group(1)
    times, found = [], None
    for _ in range(count):
        start = time.perf_counter()
        answer = opener.open(base + "/console/members", urllib.parse.urlencode({"csrf": token, "q": phone}).encode()).read().decode()
        times.append((time.perf_counter() - start) * 1000)
        found = "/console/members/" in answer
    return {"search_ms": percentiles(times), "found": found}


def main():
    parser = argparse.ArgumentParser()
    for name in ["console", "member", "ca", "operator", "password", "card", "pin", "search"]:
        parser.add_argument("--" + name, required=name != "search")
    parser.add_argument("--loads", type=int, default=50)
    a = parser.parse_args()
    figures = {}
    d = browser(1280, 900)
    sign_in(d, a.console + "/console", {"operator": a.operator, "password": a.password})
    figures["console_home"] = loads(d, a.console + "/console", a.loads)
    slow(d)
    figures["console_home_slow_3g"] = loads(d, a.console + "/console", max(a.loads // 5, 3))
    d.quit()
    d = browser(390, 844)
    sign_in(d, a.member + "/m", {"card": a.card, "pin": a.pin})
    figures["member_page"] = loads(d, a.member + "/m", a.loads)
    slow(d)
    figures["member_page_slow_3g"] = loads(d, a.member + "/m", max(a.loads // 5, 3))
    d.quit()
    if a.search:
        figures["console_search"] = search(a.console, a.ca, a.operator, a.password, a.search, a.loads)
    print(json.dumps(figures, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
