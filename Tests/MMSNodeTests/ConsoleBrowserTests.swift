import Foundation
import MMSCore
import MMSTopology
import Testing

/// The console and the member's page in a real headless Chromium (Selenium over Debian's
/// chromium-driver) against real `mms node run` processes over HTTPS: head office and a branch
/// manager log in and see their scope, a member signs in on a phone-size screen and sees the
/// balance the till just charged; a wrong PIN and a form without its CSRF token are refused.
/// Each page's screenshot is kept in `.build/screenshots/`.
extension NetworkTests {
    static let browserScript = #"""
        import json, os, ssl, sys, time, urllib.error, urllib.parse, urllib.request
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.common.by import By
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.support.ui import Select, WebDriverWait
        from PIL import Image
        import zxingcpp

        config = json.loads(sys.argv[1])
        shots = config["screenshots"]
        result = {}

        def browser(width, height, phone=False):
            options = webdriver.ChromeOptions()
            options.binary_location = "/usr/bin/chromium"
            for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                             "--ignore-certificate-errors", "--window-size=%d,%d" % (width, height), "--lang=zh-CN"]:
                options.add_argument(argument)
            if phone:
                options.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": width, "height": height, "pixelRatio": 3}})
            driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
            driver.set_page_load_timeout(30)
            return driver

        def submit(driver, selector):
            # The next page has loaded once the old one is gone.
            old = driver.find_element(By.TAG_NAME, "html")
            driver.find_element(By.CSS_SELECTOR, selector).click()
            def gone(_):
                try:
                    old.is_enabled()
                    return False
                except WebDriverException:   # stale, or "does not belong to the document": either way, replaced
                    return True
            WebDriverWait(driver, 20).until(gone)

        def fill(driver, fields):
            for name, value in fields.items():
                driver.find_element(By.NAME, name).send_keys(value)
            submit(driver, "form.card button[type=submit]")

        def status(driver, url, cookie):
            # The status a page answers the browser's session with, over TLS checked against the chain CA.
            value = driver.get_cookie(cookie)["value"]
            request = urllib.request.Request(url, headers={"Cookie": cookie + "=" + value})
            try:
                return urllib.request.urlopen(request, context=ssl.create_default_context(cafile=config["ca"])).status
            except urllib.error.HTTPError as error:
                return error.code

        def post(url, driver, cookie, fields):
            # A form posted with the browser's session but as a forger would: no CSRF token.
            value = driver.get_cookie(cookie)["value"]
            request = urllib.request.Request(url, data=urllib.parse.urlencode(fields).encode(), headers={"Cookie": cookie + "=" + value})
            try:
                return urllib.request.urlopen(request, context=ssl.create_default_context(cafile=config["ca"])).status
            except urllib.error.HTTPError as error:
                return error.code

        def retype(driver, name, value):
            field = driver.find_element(By.NAME, name)
            field.clear()
            field.send_keys(value)

        def text(driver):
            return driver.find_element(By.TAG_NAME, "main").text

        # Head office: log in, the chain at a glance, find the member by phone.
        d = browser(1280, 900)
        d.get(config["hq"] + "/console")
        result["hq_login_page"] = text(d)
        d.save_screenshot(shots + "/console-login.png")
        fill(d, {"operator": "boss", "password": "boss-Pass!"})
        result["hq_home"] = text(d)
        d.save_screenshot(shots + "/console-home-hq.png")
        d.find_element(By.NAME, "q").send_keys("13800000001")
        submit(d, "form#search button[type=submit]")
        result["hq_search"] = text(d)
        d.save_screenshot(shots + "/console-members.png")
        submit(d, "section.member h2 a")
        # Head office's extra fields: 过敏史 set on the profile.
        d.find_element(By.NAME, "f1").send_keys("芒果过敏")
        submit(d, "form#fields button[type=submit]")
        result["hq_member"] = text(d)
        result["hq_member_allergy"] = d.find_element(By.NAME, "f1").get_attribute("value")
        # Her photo, taken at head office: a camera's 1600 × 2000 JPEG, over a megabyte, chosen in the
        # form's file field; the page's script shrinks it to 480 × 600 before it is sent.
        photo = os.path.realpath(shots + "/../photo.jpg")
        gradient, noise = Image.linear_gradient("L").resize((1600, 2000)), Image.effect_noise((1600, 2000), 12)
        Image.merge("RGB", (gradient, Image.blend(gradient, noise, 0.3), noise)).save(photo, quality=95)
        result["photo_chosen_bytes"] = os.path.getsize(photo)
        d.find_element(By.NAME, "photo").send_keys(photo)
        WebDriverWait(d, 20).until(lambda driver: driver.find_element(By.NAME, "photo").get_attribute("data-shrunk"))
        result["photo_sent_bytes"] = int(d.find_element(By.NAME, "photo").get_attribute("data-shrunk"))
        submit(d, "section#photo button[type=submit]")
        result["hq_photo_saved"] = text(d)
        result["hq_photo_width"] = d.execute_script("var i = document.querySelector('img.photo'); return i ? i.naturalWidth : 0")
        result["member_id"] = d.current_url.split("/console/members/")[1].split("?")[0]
        d.save_screenshot(shots + "/console-member.png")
        d.get(config["hq"] + "/console/programs")
        result["hq_programs"] = text(d)
        result["hq_programs_status"] = status(d, config["hq"] + "/console/programs", "mms_console")
        d.save_screenshot(shots + "/console-programs.png")
        # Raise silver's single top-up threshold: a typo is refused, then a preview, then the save.
        retype(d, "tier_single_topup_1", "25OO")
        submit(d, "form#program button[type=submit]")
        result["hq_program_typo"] = text(d)
        retype(d, "tier_single_topup_1", "2500.00")
        # …and, in the same change, a new top-up bonus and a new coupon template on their parts' empty rows.
        d.find_element(By.CSS_SELECTOR, "#bonus tbody tr:last-child input[name^=bonus_topup]").send_keys("500.00")
        d.find_element(By.CSS_SELECTOR, "#bonus tbody tr:last-child input[name^=bonus_bonus]").send_keys("30.00")
        d.find_element(By.CSS_SELECTOR, "#coupon_template tbody tr:last-child input[name^=coupon_template_id]").send_keys("CP-TEA")
        d.find_element(By.CSS_SELECTOR, "#coupon_template tbody tr:last-child input[name^=coupon_template_title]").send_keys("下午茶券")
        d.find_element(By.CSS_SELECTOR, "#coupon_template tbody tr:last-child input[name^=coupon_template_value]").send_keys("15.00")
        submit(d, "form#program button[type=submit]")
        result["hq_program_preview"] = text(d)
        d.save_screenshot(shots + "/console-program-preview.png")
        submit(d, "form#confirm button[type=submit]")
        result["hq_program_saved"] = text(d)
        result["forged_program_status"] = post(config["hq"] + "/console/programs", d, "mms_console",
                                               {"version": "2", "tier_rows": "1", "tier_tier_0": "standard", "tier_name_0": "普通"})
        # The reports with their charts, a CSV of them, and the audit trail naming who changed the program.
        d.get(config["hq"] + "/console/reports")
        result["hq_reports"] = text(d)
        result["hq_report_charts"] = len(d.find_elements(By.CSS_SELECTOR, "svg.chart rect"))
        d.save_screenshot(shots + "/console-reports.png")
        value = d.get_cookie("mms_console")["value"]
        answer = urllib.request.urlopen(urllib.request.Request(config["hq"] + "/console/csv/sales?by=branch&from=2020-01-01&to=2099-12-31",
                                                               headers={"Cookie": "mms_console=" + value}),
                                        context=ssl.create_default_context(cafile=config["ca"]))
        result["hq_csv_type"] = answer.headers.get("Content-Type")
        body = answer.read()
        result["hq_csv_bom"] = body.startswith(b"\xef\xbb\xbf")
        result["hq_csv"] = body.decode("utf-8-sig")
        d.get(config["hq"] + "/console/audit")
        result["hq_audit"] = text(d)
        d.save_screenshot(shots + "/console-audit.png")
        # The console in English, chosen on the reports page (and back on it); each of head office's pages in English.
        d.get(config["hq"] + "/console/reports")
        submit(d, "a#language")
        result["en_reports_url"] = d.current_url
        result["en_lang"] = d.find_element(By.TAG_NAME, "html").get_attribute("lang")
        result["en_reports"] = d.find_element(By.TAG_NAME, "body").text
        d.save_screenshot(shots + "/console-reports-en.png")
        result["en_pages"] = {}
        for path in ["/console", "/console/programs", "/console/tiers", "/console/bookings", "/console/catalogue", "/console/outbox",
                     "/console/audit", "/console/books", "/console/staff", "/console/members/" + result["member_id"]]:
            d.get(config["hq"] + path)
            # The page's own words, not what its fields hold (a reminder's words are the members' Chinese).
            result["en_pages"][path] = d.execute_script(
                "var copy = document.body.cloneNode(true); copy.querySelectorAll('textarea, input, select').forEach(function (e) { e.remove(); }); return copy.textContent;")
        d.save_screenshot(shots + "/console-member-en.png")
        d.get(config["hq"] + "/console/programs")
        retype(d, "tier_single_topup_1", "25OO")
        submit(d, "form#program button[type=submit]")
        result["en_program_typo"] = text(d)
        d.save_screenshot(shots + "/console-programs-en.png")
        submit(d, "a#language")
        result["zh_again"] = d.find_element(By.TAG_NAME, "body").text
        result["hq_cookies"] = [{"name": c["name"], "httpOnly": c.get("httpOnly"), "secure": c.get("secure"), "sameSite": c.get("sameSite")} for c in d.get_cookies()]
        d.quit()

        # branch-1's manager: their branch only.
        d = browser(1280, 900)
        d.get(config["branch"] + "/console")
        fill(d, {"operator": "m01", "password": "m01-Pass!"})
        result["manager_home"] = text(d)
        d.save_screenshot(shots + "/console-home-branch.png")
        for name, path in [("manager_own_stock", "/console/stock/branch-1"), ("manager_other_stock", "/console/stock/branch-2"),
                           ("manager_programs", "/console/programs"), ("manager_other_books", "/console/books?branch=branch-2"),
                           ("manager_books", "/console/books"), ("manager_catalogue", "/console/catalogue")]:
            result[name + "_status"] = status(d, config["branch"] + path, "mms_console")
            d.get(config["branch"] + path)
            result[name] = text(d)
        d.save_screenshot(shots + "/console-refused.png")
        # Staff and tills: a cashier added, a till registered (its token shown once).
        d.get(config["branch"] + "/console/staff")
        fill_form = {"id": "c11", "name": "新收银", "password": "c11-Pass!"}
        for name, value in fill_form.items():
            d.find_element(By.CSS_SELECTOR, "form#add-operator [name=%s]" % name).send_keys(value)
        submit(d, "form#add-operator button[type=submit]")
        result["manager_staff_added"] = text(d)
        d.find_element(By.CSS_SELECTOR, "form#register-till [name=till]").send_keys("till-9")
        submit(d, "form#register-till button[type=submit]")
        result["manager_till_registered"] = text(d)
        result["till_token"] = d.find_element(By.ID, "saved").text.split("：")[-1]
        d.save_screenshot(shots + "/console-staff.png")
        # Stock received at the manager's own branch, from its stock page.
        d.get(config["branch"] + "/console/stock/branch-1")
        d.find_element(By.NAME, "sku").send_keys("PR-104")
        d.find_element(By.NAME, "quantity").send_keys("12")
        submit(d, "form#stock-move button[type=submit]")
        result["manager_stock_received"] = text(d)
        # …and 5 of them sent on to branch-2: on their way until branch-2 confirms them.
        Select(d.find_element(By.NAME, "move")).select_by_value("transfer")
        d.find_element(By.NAME, "sku").send_keys("PR-104")
        d.find_element(By.NAME, "quantity").send_keys("5")
        d.find_element(By.NAME, "to").send_keys("branch-2")
        submit(d, "form#stock-move button[type=submit]")
        result["manager_stock_transferred"] = text(d)
        d.save_screenshot(shots + "/console-stock.png")
        # The card's life from the profile: 李雷's card reported lost, asked, confirmed, done.
        d.get(config["branch"] + "/console")
        d.find_element(By.NAME, "q").send_keys("13800000002")
        submit(d, "form#search button[type=submit]")
        submit(d, "section.member h2 a")
        Select(d.find_element(By.NAME, "action")).select_by_value("lost")
        submit(d, "form#card-action button[type=submit]")
        result["manager_card_confirm"] = text(d)
        submit(d, "form#confirm button[type=submit]")
        result["manager_card_done"] = text(d)
        d.save_screenshot(shots + "/console-card-lost.png")
        d.quit()

        # The member on a phone: a wrong PIN, then the right one.
        d = browser(390, 844, phone=True)
        d.get(config["branch"] + "/m")
        d.save_screenshot(shots + "/member-login.png")
        fill(d, {"card": "6200000001", "pin": "9999"})
        result["member_wrong_pin"] = text(d)
        fill(d, {"card": "6200000001", "pin": "2468"})
        result["member_home"] = text(d)
        result["member_width"] = d.execute_script("return document.documentElement.scrollWidth")
        # 签到: the program's points, once today.
        result["member_points_before"] = d.find_element(By.ID, "points").text
        submit(d, "form#check-in button[type=submit]")
        result["member_points_after"] = d.find_element(By.ID, "points").text
        result["member_checked_in"] = text(d)
        d.save_screenshot(shots + "/member-home.png")
        # The member code, read off the screen by a scanner (zxing), as the till's would.
        submit(d, "a#member-code")
        d.save_screenshot(shots + "/member-code.png")
        result["member_code_shown"] = d.find_element(By.ID, "code").text
        scanned = zxingcpp.read_barcodes(Image.open(shots + "/member-code.png"))
        result["member_code_scanned"] = scanned[0].text if scanned else ""
        # The till pays with it at once, as a scanner in wedge mode would hand it over.
        charge = urllib.request.Request(config["branch"] + "/v1/charges", method="POST",
                                        data=json.dumps({"card": result["member_code_scanned"], "amount": "30.00"}).encode(),
                                        headers={"Authorization": "Bearer " + config["cashier"], "Content-Type": "application/json", "Idempotency-Key": "code-1"})
        try:
            answer = urllib.request.urlopen(charge, context=ssl.create_default_context(cafile=config["ca"]))
            result["code_paid_status"], result["code_paid"] = answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            result["code_paid_status"], result["code_paid"] = error.code, json.loads(error.read() or b"{}")
        d.get(config["branch"] + "/m")
        # A booking at branch-2, made here: tomorrow (the form's first choice) at 10:00.
        Select(d.find_element(By.NAME, "branch")).select_by_value("branch-2")
        Select(d.find_element(By.NAME, "time")).select_by_value("10:00")
        result["booking_day"] = Select(d.find_element(By.NAME, "day")).first_selected_option.get_attribute("value")
        submit(d, "form#book button[type=submit]")
        result["member_booked"] = text(d)
        Select(d.find_element(By.NAME, "branch")).select_by_value("branch-2")
        Select(d.find_element(By.NAME, "time")).select_by_value("10:00")
        submit(d, "form#book button[type=submit]")
        result["member_booked_twice"] = text(d)
        d.save_screenshot(shots + "/member-booking.png")
        member_cookie = d.get_cookie("mms_member")["value"]
        submit(d, "nav form button[type=submit]")
        result["member_signed_out"] = text(d)
        # The old session's cookie opens nothing any more.
        d.add_cookie({"name": "mms_member", "value": member_cookie, "path": "/m", "secure": True})
        d.get(config["branch"] + "/m")
        result["member_after_sign_out"] = text(d)
        d.quit()
        # branch-2's cashier reads the ladder in force once the change has come by gossip.
        d = browser(1280, 900)
        d.get(config["branch2"] + "/console")
        fill(d, {"operator": "c02", "password": "c02-Pass!"})
        deadline = time.time() + 30
        while True:
            d.get(config["branch2"] + "/console/tiers")
            if "2500.00" in text(d) or time.time() > deadline:
                break
            time.sleep(0.5)
        result["branch2_tiers"] = text(d)
        d.save_screenshot(shots + "/console-tiers-branch2.png")
        # The photo head office took, at branch-2, which keeps none of its own: asked for on the
        # first look, over the peer link, and shown on a later one.
        d.get(config["branch2"] + "/console/members/" + result["member_id"])
        result["branch2_photo_first"] = text(d)
        deadline = time.time() + 30
        while True:
            width = d.execute_script("var i = document.querySelector('img.photo'); return i && i.complete ? i.naturalWidth : 0")
            if width or time.time() > deadline:
                break
            time.sleep(0.5)
            d.get(config["branch2"] + "/console/members/" + result["member_id"])
        result["branch2_photo_width"] = width
        d.save_screenshot(shots + "/console-member-branch2.png")
        # …and the booking made on branch-1's member page, once it has come.
        deadline = time.time() + 30
        while True:
            d.get(config["branch2"] + "/console/bookings?day=" + result["booking_day"])
            if "面部护理" in text(d) or time.time() > deadline:
                break
            time.sleep(0.5)
        result["branch2_bookings"] = text(d)
        d.save_screenshot(shots + "/console-bookings-branch2.png")
        d.quit()

        print(json.dumps(result, ensure_ascii=False))
        """#

    @Test func theConsoleAndTheMembersPageInARealBrowser() throws {
        let file = try provisionChain()
        try staffAdd("hq", "boss", role: "hq_admin", password: "boss-Pass!")
        try staffAdd("hq", "m01", role: "manager", branch: "branch-1", password: "m01-Pass!")
        try staffAdd("hq", "c02", role: "cashier", branch: "branch-2", password: "c02-Pass!")
        let nodes = try ["hq", "branch-1", "branch-2"].map { try startNode($0, file: file) }
        defer { for p in nodes where p.isRunning { p.terminate() } }
        waitForStores()
        let branch = "\(root)/data/t/branch-1"
        // Head office's program (silver: one top-up of 2,000.00), and a member who reached it that way.
        let programFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../programs/demo.toml").standardized.path
        try #require(mms(["program", "set", "--data", "\(root)/data/t/hq", "--file", programFile]).status == 0)
        try waitUntil(30) { (try? json(mms(["program", "show", "--data", branch, "--json"]).stdout)["version"] as? Int) == 1 }
        let silver = try #require((try? json(mms(["member", "add", "--data", branch, "--name", "李雷", "--phone", "13800000002", "--json"]).stdout))?["id"] as? String)
        try #require(mms(["card", "issue", "--data", branch, "--member", silver, "--type", "stored", "--number", "6200000002", "--pin", "1357"]).status == 0)
        try #require(mms(["topup", "--data", branch, "--card", "6200000002", "--amount", "2000.00"]).status == 0)
        // A service members can book.
        try #require(mms(["product", "add", "--data", "\(root)/data/t/hq", "--sku", "SV-FACIAL", "--name", "面部护理", "--kind", "service", "--price", "198.00"]).status == 0)
        try #require(mms(["product", "add", "--data", "\(root)/data/t/hq", "--sku", "PR-104", "--name", "精华液", "--kind", "goods", "--price", "298.00"]).status == 0)
        try waitUntil(30) { (try? mms(["product", "show", "--data", branch, "--sku", "SV-FACIAL"]).status) == 0 && (try? mms(["product", "show", "--data", branch, "--sku", "PR-104"]).status) == 0 }
        let added = try mms(["member", "add", "--data", branch, "--name", "王芳", "--phone", "13800000001", "--json"])
        let member = try #require((try? json(added.stdout))?["id"] as? String, "\(added.stdout) \(added.stderr)")
        try #require(mms(["card", "issue", "--data", branch, "--member", member, "--type", "stored", "--number", "6200000001", "--pin", "2468"]).status == 0)
        try #require(mms(["topup", "--data", branch, "--card", "6200000001", "--amount", "300.00"]).status == 0)
        try #require(mms(["charge", "--data", branch, "--card", "6200000001", "--amount", "120.00", "--pin", "2468"]).status == 0)
        try waitUntil(30) { (try? json(mms(["show", "--data", "\(root)/data/t/hq", "--card", "6200000001", "--json"]).stdout)["balance"] as? String) == "180.00" }
        try waitUntil(30) { (try? json(mms(["show", "--data", "\(root)/data/t/hq", "--card", "6200000002", "--json"]).stdout)["tier"] as? String) == "silver" }

        let topology = try Topology.load(path: file)
        let hqAPI = try #require(topology.node(NodeID("hq"))).api, branchAPI = try #require(topology.node(NodeID("branch-1"))).api
        let branch2API = try #require(topology.node(NodeID("branch-2"))).api
        // Checked against the chain CA: the pages' headers and cookies.
        let page = try run("/usr/bin/curl", ["-s", "-D", "-", "-o", "/dev/null", "--cacert", "\(root)/certs/t/ca.pem", "https://\(branchAPI)/m"]).lowercased()
        #expect(page.contains("content-security-policy: default-src 'none'") && page.contains("content-type: text/html"), "\(page)")
        #expect(page.contains("set-cookie: mms_form=") && page.contains("httponly") && page.contains("secure") && page.contains("samesite=strict"), "\(page)")
        // A login posted without its CSRF token is refused and opens no session.
        let forged = try run("/usr/bin/curl", ["-s", "-D", "-", "-o", "/dev/null", "--cacert", "\(root)/certs/t/ca.pem", "-X", "POST",
                                               "--data", "operator=boss&password=boss-Pass!", "https://\(hqAPI)/console/login"])
        #expect(forged.hasPrefix("HTTP/1.1 403") && !forged.contains("mms_console="), "\(forged)")
        // A form with its fields missing is answered as a page, 400, and changes nothing.
        let empty = try run("/usr/bin/curl", ["-s", "-D", "-", "--cacert", "\(root)/certs/t/ca.pem", "-X", "POST", "--data", "", "https://\(branchAPI)/m/login"])
        #expect(empty.hasPrefix("HTTP/1.1 400") && empty.lowercased().contains("content-type: text/html") && empty.contains("表单"), "\(empty)")

        let screenshots = FileManager.default.currentDirectoryPath + "/.build/screenshots"
        try FileManager.default.createDirectory(atPath: screenshots, withIntermediateDirectories: true)
        let script = root + "/browser.py"
        try Self.browserScript.write(toFile: script, atomically: true, encoding: .utf8)
        // A cashier signed in at a branch-1 till, for the member code's payment.
        try staffAdd("hq", "c01", role: "cashier", branch: "branch-1", password: "c01-Pass!")
        let till = try registerTill("branch-1", "till-1")
        var cashier: String?
        try waitUntil(30) { cashier = try? login("branch-1", till: till, "c01", "c01-Pass!", file: file).json["token"] as? String; return cashier != nil }
        let config = String(decoding: try JSONSerialization.data(withJSONObject: ["cashier": try #require(cashier), "hq": "https://\(hqAPI)", "branch": "https://\(branchAPI)", "branch2": "https://\(branch2API)", "screenshots": screenshots,
                                                                                        "ca": "\(root)/certs/t/ca.pem"]),
                            as: UTF8.self)
        let browser = Process()
        // The python3 that scripts/install-test-deps.sh gave Selenium to: the first on the PATH.
        browser.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        browser.arguments = ["python3", script, config]
        let out = Pipe(), err = Pipe()
        (browser.standardOutput, browser.standardError) = (out, err)
        try browser.run()
        let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let complaints = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        browser.waitUntilExit()
        let seen = try #require((try? JSONSerialization.jsonObject(with: Data((printed.split(separator: "\n").last.map(String.init) ?? "").utf8))) as? [String: Any],
                                "the browser's run: \(printed) \(complaints.suffix(3_000))")
        func text(_ key: String) -> String { seen[key] as? String ?? "" }

        #expect(text("hq_login_page").contains("管理后台"))
        #expect(text("hq_home").contains("全部门店") && text("hq_home").contains("branch-1"), "\(text("hq_home"))")
        // The chain at a glance: every node, linked to head office now, its ops and the stored value it holds.
        #expect(text("hq_home").contains("全链概览") && text("hq_home").contains("branch-2 门店 在线") && text("hq_home").contains("hq 总部 本节点"), "\(text("hq_home"))")
        #expect(text("hq_search").contains("王芳") && text("hq_search").contains("180.00") && text("hq_search").contains("138****0001"), "\(text("hq_search"))")
        #expect(text("hq_member").contains("¥180.00") && text("hq_member").contains("消费") && text("hq_member").contains("branch-1"), "\(text("hq_member"))")
        let cookie = (seen["hq_cookies"] as? [[String: Any]])?.first { $0["name"] as? String == "mms_console" }
        #expect(cookie?["httpOnly"] as? Bool == true && cookie?["secure"] as? Bool == true && cookie?["sameSite"] as? String == "Strict", "\(String(describing: cookie))")
        #expect(text("manager_home").contains("branch-1") && !text("manager_home").contains("全部门店") && !text("manager_home").contains("branch-2"),
                "\(text("manager_home"))")
        // A manager reads their own branch's stock, not another's, and not head office's program.
        #expect(seen["manager_own_stock_status"] as? Int == 200 && text("manager_own_stock").contains("库存 · branch-1"), "\(text("manager_own_stock"))")
        #expect(seen["manager_other_stock_status"] as? Int == 403 && text("manager_other_stock").contains("无权"), "\(text("manager_other_stock"))")
        #expect(seen["manager_programs_status"] as? Int == 403 && text("manager_programs").contains("无权"), "\(text("manager_programs"))")
        #expect(text("manager_stock_received").contains("已记录：PR-104") && text("manager_stock_received").contains("精华液 12"), "\(text("manager_stock_received"))")
        #expect(text("manager_stock_transferred").contains("精华液 7 12") && text("manager_stock_transferred").contains("branch-1 branch-2 PR-104 5 在途"),
                "\(text("manager_stock_transferred"))")
        // The cashier and the till added on the staff page work at the till API (the token as shown).
        #expect(text("manager_staff_added").contains("已添加员工 c11") && !text("manager_staff_added").contains("boss"), "\(text("manager_staff_added"))")
        #expect(text("manager_till_registered").contains("till-9") && text("till_token").hasPrefix("till-9."), "\(text("manager_till_registered"))")
        #expect(try login("branch-1", till: text("till_token"), "c11", "c11-Pass!", file: file).status == 201)
        #expect(seen["manager_other_books_status"] as? Int == 403 && seen["manager_books_status"] as? Int == 200 && text("manager_books").contains("账务 · branch-1"),
                "\(text("manager_books"))")
        #expect(text("manager_catalogue").contains("SV-FACIAL") && text("manager_catalogue").contains("服务"), "\(text("manager_catalogue"))")
        #expect(seen["hq_programs_status"] as? Int == 200 && text("hq_programs").contains("营销方案"), "\(text("hq_programs"))")
        // The program edited as a form: a typo refused, the preview's count, one versioned save that reaches branch-2.
        #expect(text("hq_program_typo").contains("25OO") && text("hq_program_typo").contains("第 1 版"), "\(text("hq_program_typo"))")
        #expect(text("hq_program_preview").contains("变更：会员等级、充值赠送、优惠券模板。") && text("hq_program_preview").contains("0 位会员升级、1 位会员降级"),
                "\(text("hq_program_preview"))")
        #expect(text("hq_program_saved").contains("已保存为第 2 版"), "\(text("hq_program_saved"))")
        #expect(seen["forged_program_status"] as? Int == 403, "a program form without its token is refused")
        #expect(text("branch2_tiers").contains("方案第 2 版") && text("branch2_tiers").contains("2500.00"), "\(text("branch2_tiers"))")
        #expect(try json(mms(["show", "--data", "\(root)/data/t/branch-2", "--card", "6200000002", "--json"]).stdout)["tier"] as? String == "standard")
        let saved = try json(mms(["program", "show", "--data", "\(root)/data/t/hq", "--json"]).stdout)
        #expect(saved["version"] as? Int == 2, "the forged form changed nothing")
        let bonuses = (saved["program"] as? [String: Any])?["bonuses"] as? [[String: Any]] ?? []
        #expect(bonuses.count == 4 && bonuses.contains { $0["topup"] as? String == "500.00" && $0["bonus"] as? String == "30.00" }, "\(bonuses)")
        let templates = (saved["program"] as? [String: Any])?["coupon_templates"] as? [[String: Any]] ?? []
        #expect(templates.contains { $0["id"] as? String == "CP-TEA" && $0["value"] as? String == "15.00" && $0["valid_days"] as? Int == 30 }, "\(templates)")
        // Checked in once: five points, and the page says it is done for today.
        #expect(Int(text("member_points_after")) == Int(text("member_points_before")).map { $0 + 5 } && text("member_checked_in").contains("今日已签到"),
                "\(text("member_points_before")) → \(text("member_points_after"))")
        // The member code read off the screen pays at branch-1's till API with no PIN, as the card.
        #expect(text("member_code_scanned").hasPrefix("MC6200000001.") && text("member_code_scanned") == text("member_code_shown"), "\(text("member_code_scanned"))")
        let paid = seen["code_paid"] as? [String: Any] ?? [:]
        #expect(seen["code_paid_status"] as? Int == 201 && paid["card"] as? String == "6200000001" && paid["balance"] as? String == "150.00", "\(paid)")
        // The booking: on the member's page, a second of the same time refused, and on branch-2's console.
        #expect(text("member_booked").contains("面部护理") && text("member_booked").contains("branch-2") && text("member_booked").contains("10:00"), "\(text("member_booked"))")
        #expect(text("member_booked_twice").contains("already") || text("member_booked_twice").contains("已"), "\(text("member_booked_twice"))")
        #expect(text("branch2_bookings").contains("面部护理") && text("branch2_bookings").contains("10:00") && text("branch2_bookings").contains(member)
                && !text("branch2_bookings").contains("超额"), "\(text("branch2_bookings"))")
        // The extra field shown again, and sealed at rest: its text is nowhere in head office's store files.
        #expect(text("hq_member").contains("会员资料已保存") && text("hq_member_allergy") == "芒果过敏", "\(text("hq_member"))")
        // The photo: taken at head office and shown there; at branch-2 first asked for, then shown.
        #expect((seen["photo_chosen_bytes"] as? Int ?? 0) > 1_000_000 && (seen["photo_sent_bytes"] as? Int ?? .max) <= MemberPhotos.maxBytes,
                "the page shrank the camera's photo: \(seen["photo_chosen_bytes"] ?? "") → \(seen["photo_sent_bytes"] ?? "")")
        #expect(text("hq_photo_saved").contains("照片已保存") && seen["hq_photo_width"] as? Int == 480, "\(text("hq_photo_saved"))")
        #expect(text("branch2_photo_first").contains("正在获取") && seen["branch2_photo_width"] as? Int == 480, "\(text("branch2_photo_first")) \(seen["branch2_photo_width"] ?? "")")
        // Her home branch keeps it too, fetched on its own (no page there asked): within a sweep.
        func photosKept(_ node: String) -> Int {
            let count = try? run("/usr/bin/env", ["python3", "-c", "import sqlite3,sys; print(sqlite3.connect('file:'+sys.argv[1]+'?mode=ro', uri=True).execute('SELECT count(*) FROM photos').fetchone()[0])",
                                                  "\(root)/data/t/\(node)/store.sqlite"])
            return Int((count ?? "").trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        }
        try waitUntil(90) { photosKept("branch-1") == 1 }   // the sweep runs a minute apart
        #expect(photosKept("branch-1") == 1 && photosKept("hq") == 1, "the home branch and head office keep the photo")
        let hqFiles = try FileManager.default.contentsOfDirectory(atPath: "\(root)/data/t/hq").filter { $0.hasPrefix("store.sqlite") }
        let plainText = try hqFiles.filter { try Data(contentsOf: URL(fileURLWithPath: "\(root)/data/t/hq/\($0)")).range(of: Data("芒果过敏".utf8)) != nil }
        #expect(!hqFiles.isEmpty && plainText.isEmpty, "\(plainText)")
        // A card reported lost from the console: confirmed first, then done by the use case, everywhere.
        #expect(text("manager_card_confirm").contains("确认挂失") && text("manager_card_confirm").contains("6200000002"), "\(text("manager_card_confirm"))")
        #expect(text("manager_card_done").contains("已完成：挂失") && text("manager_card_done").contains("lost"), "\(text("manager_card_done"))")
        try waitUntil(30) { (try? json(mms(["show", "--data", "\(root)/data/t/hq", "--card", "6200000002", "--json"]).stdout)["status"] as? String) == "lost" }
        #expect(try json(mms(["show", "--data", "\(root)/data/t/hq", "--card", "6200000002", "--json"]).stdout)["status"] as? String == "lost")
        // Reports drawn as SVG on the server, their CSV, and the audit trail naming the program's editor.
        #expect(text("hq_reports").contains("报表") && (seen["hq_report_charts"] as? Int ?? 0) >= 5, "\(text("hq_reports"))")
        #expect(text("hq_csv_type").hasPrefix("text/csv") && seen["hq_csv_bom"] as? Bool == true && text("hq_csv").hasPrefix("branch,") && text("hq_csv").contains("branch-1,"), "\(text("hq_csv"))")
        #expect(text("hq_audit").contains("boss") && text("hq_audit").contains("@console"), "\(text("hq_audit"))")
        // English for head office's staff: chosen on a page, back on it; every page's own words English, the data as it is.
        #expect(text("en_reports_url").hasSuffix("/console/reports") && text("en_lang") == "en", "\(text("en_reports_url"))")
        #expect(text("en_reports").contains("Net sales by day") && text("en_reports").contains("Reports · All branches") && text("en_reports").contains("(highest ¥") && !text("en_reports").contains("净销售"),
                "\(text("en_reports"))")
        let english = seen["en_pages"] as? [String: String] ?? [:]
        #expect(english.count == 10)
        for (path, page) in english {
            #expect(page.contains("Overview") && page.contains("Sign out") && page.contains("中文"), "\(path): \(page)")
            #expect(!["概况", "退出", "返回", "状态", "时间", "操作", "合计", "暂无", "数据截至"].contains { page.contains($0) }, "\(path): \(page)")
        }
        // The home and the program's form show no data in the chain's own words: not one Chinese character but the switch back.
        for path in ["/console", "/console/programs"] {
            #expect(!(english[path] ?? "").replacing("中文", with: "").unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) }, "\(path): \(english[path] ?? "")")
        }
        #expect(english["/console"]?.contains("The chain at a glance") == true && english["/console/members/" + text("member_id")]?.contains("王芳") == true)
        #expect(text("en_program_typo").contains("Tiers, row 2: Single top-up ¥ must be an amount, such as 20.00: “25OO”.")
                && text("en_program_typo").contains("Program · version 2"), "\(text("en_program_typo"))")
        #expect(text("zh_again").contains("概况") && text("zh_again").contains("全部门店"), "\(text("zh_again"))")
        let language = (seen["hq_cookies"] as? [[String: Any]])?.first { $0["name"] as? String == "mms_lang" }
        #expect(language?["httpOnly"] as? Bool == true && language?["secure"] as? Bool == true && language?["sameSite"] as? String == "Strict", "\(String(describing: language))")
        #expect(text("member_wrong_pin").contains("卡号或密码错误"), "\(text("member_wrong_pin"))")
        #expect(text("member_home").contains("¥180.00") && text("member_home").contains("王芳"), "\(text("member_home"))")
        // Points by lot, and when each stops paying (the demo program: the end of next year).
        let nextYear = Int(Sales.day(wallMillis: UInt64(Date().timeIntervalSince1970 * 1_000)).prefix(4))! + 1
        #expect(text("member_home").contains("\(nextYear)-12-31 到期"), "\(text("member_home"))")
        #expect(text("member_signed_out").contains("卡号") && !text("member_after_sign_out").contains("¥180.00"), "signing out ends the session")
        #expect((seen["member_width"] as? Int ?? 9_999) <= 390, "the member's page fits a 390-pixel screen")
        for shot in ["console-login", "console-home-hq", "console-members", "console-member", "console-programs", "console-program-preview", "console-reports", "console-audit", "console-card-lost", "console-stock", "console-staff", "console-tiers-branch2", "console-member-branch2", "console-bookings-branch2", "member-code", "member-booking", "console-refused", "console-home-branch", "member-login", "member-home",
                     "console-reports-en", "console-member-en", "console-programs-en"] {
            #expect(FileManager.default.fileExists(atPath: "\(screenshots)/\(shot).png"), "\(shot).png")
        }
        // The wrong PIN counted against the card, as at the till.
        #expect(try json(mms(["show", "--data", branch, "--card", "6200000001", "--json"]).stdout)["pin_failures"] as? Int == 1)
        // …and chain-wide: the ops the pages cause (till @member, @console) replicate like any other.
        try waitUntil(30) { (try? json(mms(["show", "--data", "\(root)/data/t/hq", "--card", "6200000001", "--json"]).stdout)["pin_failures"] as? Int) == 1 }
    }
}
