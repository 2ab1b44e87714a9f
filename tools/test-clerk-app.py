#!/usr/bin/env python3
"""The clerk's app (/app) in headless Chromium against a real `trace serve`, as issue 16 asks:

- a key made in the browser, registered by the operator with the CLI; a plot and a harvest;
- the network cut, two more harvests recorded, the network back: both land once (and a resend of
  the same signed events is answered as a duplicate);
- a refused event shows its reason in Vietnamese;
- `trace verify` passes;
- screenshots at phone width, in Vietnamese and English, into --screens.

Usage: tools/test-clerk-app.py --trace .build/debug/trace --screens /tmp/screens
Needs chromium, chromium-driver and Selenium (tools/setup installs them). Exit 0 when every check
passes; otherwise the failed check on stderr and exit 1.
"""
import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trace", required=True)
    parser.add_argument("--screens", required=True)
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    args = parser.parse_args()
    trace = os.path.abspath(args.trace)
    os.makedirs(args.screens, exist_ok=True)
    work = tempfile.mkdtemp(prefix="trace-clerk-app-")
    env = {k: v for k, v in os.environ.items() if k not in ("TRACE_LEDGER", "TRACE_KEY", "TRACE_SERVER")}
    env["LANG"] = "C.UTF-8"

    def cli(*argv, ok=True):
        run = subprocess.run([trace, *argv], cwd=work, env=env, capture_output=True, text=True, timeout=120)
        if ok and run.returncode != 0:
            fail(f"trace {' '.join(argv)}: exit {run.returncode}: {run.stderr}")
        return run

    cli("init", "--origin", "clerk.trace.example/ledger")
    farm_key = cli("keys", "new", "--name", "trang-trai-bay", "--out", "farm.key").stdout.strip()

    server = subprocess.Popen(
        [trace, "serve", "--port", "0", "--ledger", "trace.db"], cwd=work, env=env, stdout=subprocess.PIPE, text=True)
    url = None
    deadline = time.time() + 60
    while url is None and time.time() < deadline:
        line = server.stdout.readline()
        if "listening on " in line:
            url = line.split("listening on ", 1)[1].strip()
    if url is None:
        fail("trace serve did not start")

    options = webdriver.ChromeOptions()
    for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=412,915",
                 f"--user-data-dir={work}/chrome", "--lang=vi"]:
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": work + "/downloads"})
    driver = webdriver.Chrome(service=Service(args.chromedriver), options=options)
    shots = []
    try:
        driver.execute_cdp_cmd("Browser.grantPermissions", {"origin": url, "permissions": ["geolocation"]})
        driver.execute_cdp_cmd(
            "Emulation.setGeolocationOverride", {"latitude": 10.6011, "longitude": 106.5123, "accuracy": 5})
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": 412, "height": 915, "deviceScaleFactor": 1, "mobile": True})
        driver.get(url + "/app")
        wait = WebDriverWait(driver, 30)
        by_id = lambda i: driver.find_element(By.ID, i)

        def tab(name):
            driver.find_element(By.CSS_SELECTOR, f'nav button[data-tab="{name}"]').click()

        def shot(name):
            path = os.path.join(args.screens, name + ".png")
            height = driver.execute_script("return document.documentElement.scrollHeight")
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                   {"width": 412, "height": max(915, height), "deviceScaleFactor": 1, "mobile": True})
            driver.save_screenshot(path)
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                   {"width": 412, "height": 915, "deviceScaleFactor": 1, "mobile": True})
            shots.append(path)

        def fill(i, text):
            el = by_id(i)
            el.clear()
            el.send_keys(text)

        def message():
            return by_id("msg").text

        def lots(*argv):
            return {l["lot"]: l for l in json.loads(cli("lot", "list", "--json", *argv).stdout)["lots"]}

        # Vietnamese first.
        check(driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "vi", "the app opens in Vietnamese")
        shot("vi-01-key-empty")

        # A key made in the browser, non-extractable; the operator registers its verifier key.
        tab("key")
        fill("key-name", "htx-tan-lap")
        by_id("key-new").click()
        wait.until(lambda d: by_id("vkey").text.startswith("htx-tan-lap+"))
        vkey = by_id("vkey").text
        extractable = driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            const open = indexedDB.open("trace-clerk", 1);
            open.onsuccess = () => {
              const get = open.result.transaction("keys").objectStore("keys").get("me");
              get.onsuccess = () => done(get.result.privateKey.extractable);
            };""")
        check(extractable is False, "the private key in IndexedDB is non-extractable")
        cli("party", "add", "--id", "htx-tan-lap", "--name", "Hợp tác xã Tân Lập", "--role", "cooperative", "--vkey", vkey)
        cli("party", "add", "--id", "trang-trai-bay", "--name", "Trang trại Bảy", "--role", "farm", "--vkey", farm_key,
            "--member-of", "htx-tan-lap")
        by_id("key-check").click()
        wait.until(lambda d: "htx-tan-lap" in by_id("key-status").text)
        shot("vi-02-key-registered")

        # A plot from the GPS point, then a harvest.
        tab("plot")
        fill("plot-id", "P-01")
        fill("plot-farm", "trang-trai-bay")
        fill("plot-crop", "lúa ST25")
        by_id("plot-gps").click()
        wait.until(lambda d: "106.5123" in by_id("plot-geojson").get_attribute("value"))
        fill("plot-area", "0,8")
        shot("vi-03-plot")
        by_id("plot-save").click()
        wait.until(lambda d: "Đã ghi" in message())
        plots = json.loads(cli("plot", "list", "--json").stdout)["plots"]
        check([p["id"] for p in plots] == ["P-01"], f"the plot is registered: {plots}")
        check(plots[0]["geometry"] == {"type": "Point", "coordinates": ["106.512300", "10.601100"]}, "the GPS point is the plot")

        today = datetime.datetime.now(datetime.timezone.utc).date()

        def harvest(lot, quantity):
            driver.execute_script("document.getElementById('msg').replaceChildren()")
            tab("harvest")
            fill("h-lot", lot)
            fill("h-plot", "P-01")
            fill("h-product", "lúa ST25")
            fill("h-quantity", quantity)
            driver.execute_script(f"document.getElementById('h-date').value = '{today.isoformat()}'")
            by_id("h-save").click()

        harvest("LA-APP-1", "1.200,5")
        wait.until(lambda d: "Đã ghi" in message())
        check(lots().get("LA-APP-1", {}).get("producedKg") == "1200.5", "the harvest is recorded with its decimal comma")
        shot("vi-04-harvest")

        # The network cut: two harvests wait in the outbox, nothing reaches the ledger.
        size = len(lots())
        driver.set_network_conditions(offline=True, latency=0, download_throughput=0, upload_throughput=0)
        harvest("LA-APP-2", "500")
        wait.until(lambda d: "hộp thư chờ" in message())
        harvest("LA-APP-3", "600,25")
        tab("outbox")
        driver.execute_script("document.getElementById('send-now').click()")
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, '#outbox-list .item[data-state="waiting"]')) == 2)
        check("Mất mạng" in by_id("net").text, "the app says it is offline")
        check(len(lots()) == size, "nothing reached the ledger while offline")
        shot("vi-05-outbox-offline")

        # The network back: both land, once.
        driver.delete_network_conditions()
        by_id("send-now").click()
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, '#outbox-list .item[data-state="waiting"]')) == 0)
        after = lots()
        check("LA-APP-2" in after and "LA-APP-3" in after and len(after) == size + 2, f"both harvests landed once: {sorted(after)}")
        check(after["LA-APP-3"]["producedKg"] == "600.25", "600,25 is 600.25")
        entries = json.loads(cli("checkpoint", "--json").stdout)["size"]
        resent = driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            const open = indexedDB.open("trace-clerk", 1);
            open.onsuccess = () => {
              const all = open.result.transaction("outbox").objectStore("outbox").getAll();
              all.onsuccess = async () => {
                const out = [];
                for (const item of all.result.filter((i) => i.state === "sent")) {
                  const r = await fetch("/v1/events", { method: "POST", headers: { "Content-Type": "application/json" },
                    body: JSON.stringify(item.submission) });
                  out.push([r.status, (await r.json()).duplicate]);
                }
                done(out);
              };
            };""")
        check(len(resent) == 4 and all(d is True for _, d in resent), f"a resend is answered as already recorded: {resent}")
        check(json.loads(cli("checkpoint", "--json").stdout)["size"] == entries, "a resend adds no entry")

        # A refused event keeps its reason, in Vietnamese.
        harvest("LA-APP-1", "10")
        wait.until(lambda d: "Bị từ chối" in message())
        tab("outbox")
        why = driver.find_element(By.CSS_SELECTOR, '#outbox-list .item[data-state="refused"] .why').text
        check("mã lô này đã được dùng" in why and "[domain.lot_exists]" in why and "ev-" not in why,
              f"the refusal reads in Vietnamese: {why}")
        shot("vi-06-outbox-refused")

        # A plot pasted as a mapping tool's FeatureCollection, and one from corners walked and tapped.
        def plot(plot_id, geometry=None, corners=()):
            driver.execute_script("document.getElementById('msg').replaceChildren()")
            tab("plot")
            fill("plot-id", plot_id)
            fill("plot-farm", "trang-trai-bay")
            fill("plot-crop", "lúa ST25")
            by_id("plot-clear").click()
            by_id("plot-area").clear()
            if geometry:
                fill("plot-geojson", json.dumps(geometry))
            for lon, lat in corners:
                driver.execute_cdp_cmd("Emulation.setGeolocationOverride", {"latitude": lat, "longitude": lon, "accuracy": 3})
                before = driver.execute_script("return document.getElementById('plot-summary').textContent")
                by_id("plot-corner").click()
                wait.until(lambda d: d.execute_script("return document.getElementById('plot-summary').textContent") != before)
            wait.until(lambda d: "ha" in by_id("plot-summary").text)
            by_id("plot-save").click()
            wait.until(lambda d: "Đã ghi" in message() or "Bị từ chối" in message())
            check("Đã ghi" in message(), f"plot {plot_id} is recorded: {message()}")

        square = [[106.5200, 10.6100], [106.520915, 10.6100], [106.520915, 10.610904], [106.5200, 10.610904]]
        plot("P-02", geometry={"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"ten": "ruộng Bảy 2"},
             "geometry": {"type": "Polygon", "coordinates": [square + [square[0]]]}}]})
        plot("P-03", corners=[(lon + 0.002, lat) for lon, lat in square])
        shot("vi-12-plot-corners")
        registered = {p["id"]: p for p in json.loads(cli("plot", "list", "--json").stdout)["plots"]}
        check(registered["P-02"]["geometry"]["type"] == "Polygon", "the FeatureCollection's polygon is the plot")
        check(len(registered["P-03"]["geometry"]["coordinates"][0]) == 5, "four corners walked make a closed polygon")

        # A spreadsheet uploaded in the app: a BOM, semicolons, decimal commas, day/month/year.
        csv_path = os.path.join(work, "thu-hoach.csv")
        with open(csv_path, "wb") as f:
            f.write(("\ufeffMã lô;Sản phẩm;Khối lượng;Đơn vị;Thửa đất;Ngày thu hoạch\r\n"
                     f"LA-CSV-1;lúa ST25;1.500,5;kg;P-02;{today.strftime('%d/%m/%Y')}\r\n"
                     f"LA-CSV-2;lúa ST25;2,5;t;P-03;{today.isoformat()}\r\n").encode("utf-8"))
        tab("harvest")
        by_id("csv-file").send_keys(csv_path)
        wait.until(lambda d: "LA-CSV-2" in lots())
        check(lots()["LA-CSV-1"]["producedKg"] == "1500.5" and lots()["LA-CSV-2"]["producedKg"] == "2500",
              "the spreadsheet's rows are recorded with their decimal commas")

        # Transform and ship from the forms.
        tab("move")
        Select(by_id("m-kind")).select_by_value("transform")
        fill("t-inputs", "LA-APP-2:500:kg")
        fill("t-outputs", "LA-DRY-2:450:kg")
        fill("t-product", "lúa ST25 sấy")
        fill("t-process", "drying")
        fill("t-yield", "0,95")
        shot("vi-09-transform")
        driver.execute_script("document.getElementById('msg').replaceChildren()")
        by_id("m-save").click()
        wait.until(lambda d: "Đã ghi" in message() or "Bị từ chối" in message())
        check("LA-DRY-2" in lots(), f"the transform is recorded: {message()}")
        Select(by_id("m-kind")).select_by_value("ship")
        fill("m-lot", "LA-DRY-2")
        fill("m-to", "trang-trai-bay")
        driver.execute_script("document.getElementById('msg').replaceChildren()")
        by_id("m-save").click()
        wait.until(lambda d: "Đã ghi" in message() or "Bị từ chối" in message())
        check(lots()["LA-DRY-2"]["status"] == "in transit to trang-trai-bay", f"the shipment is recorded: {message()}")

        # Lists: what I hold, and a lot's story.
        tab("lists")
        by_id("l-held").click()
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#lot-table tr")) == 4)
        shot("vi-07-lists-held")
        fill("l-code", "LA-APP-1")
        by_id("l-story").click()
        wait.until(lambda d: d.find_elements(By.ID, "story"))
        check("LA-APP-1" in by_id("story").text, "a lot's story shows")
        shot("vi-08-lot-story")

        # Labels and the member farmer proposal.
        tab("labels")
        fill("label-lot", "LA-APP-1")
        fill("label-count", "6")
        by_id("label-make").click()
        wait.until(lambda d: d.execute_script(
            "return [...document.querySelectorAll('#sheet img')].every(i => i.complete && i.naturalWidth > 0)"))
        shot("vi-10-labels")
        tab("member")
        fill("mb-name", "Nguyễn Văn Bảy")
        fill("mb-phone", "0909123456")
        fill("mb-vkey", farm_key)
        by_id("mb-make").click()
        wait.until(lambda d: "trace party add --person" in by_id("mb-out").text)
        check("--member-of 'htx-tan-lap'" in by_id("mb-out").text, "the proposal names the cooperative")
        shot("vi-11-member")

        # The same screens in English.
        by_id("lang").click()
        wait.until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en")
        for name, screen in [("key", "en-01-key"), ("plot", "en-02-plot"), ("harvest", "en-03-harvest"),
                             ("outbox", "en-04-outbox"), ("lists", "en-05-lists"), ("member", "en-06-member")]:
            tab(name)
            shot(screen)
        refused_en = driver.find_element(By.CSS_SELECTOR, '#outbox-list .item[data-state="refused"] .why').get_attribute("textContent")
        check("[domain.lot_exists]" in refused_en and "mã lô" not in refused_en, f"in English the reason is English: {refused_en}")

        # With the server gone, the service worker still opens the app, outbox and all.
        wait.until(lambda d: d.execute_script("return !!navigator.serviceWorker.controller") or d.refresh() or False)
        tab("outbox")
        items = len(driver.find_elements(By.CSS_SELECTOR, '#outbox-list .item'))
        server.terminate()
        server.wait(timeout=30)
        driver.refresh()
        wait.until(lambda d: d.find_elements(By.ID, "h-save"))
        tab("outbox")
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, '#outbox-list .item[data-state="refused"]'))
        check(len(driver.find_elements(By.CSS_SELECTOR, '#outbox-list .item')) == items, "the outbox survives a reload offline")

        verify = cli("verify", ok=False)
        check(verify.returncode == 0, f"trace verify passes: {verify.stdout} {verify.stderr}")
    except Exception:
        # What the clerk would see, for whoever reads the failure.
        print("message: " + driver.execute_script("return document.getElementById('msg').innerText"), file=sys.stderr)
        print("outbox: " + driver.execute_script("return document.getElementById('outbox-list').innerText"), file=sys.stderr)
        print("browser log: " + json.dumps(driver.get_log("browser")), file=sys.stderr)
        driver.save_screenshot(os.path.join(args.screens, "failure.png"))
        raise
    finally:
        driver.quit()
        server.terminate()
        server.wait(timeout=30)
    print("clerk app: every check passed; screenshots:")
    for path in shots:
        print("  " + path)


def check(condition, what):
    if not condition:
        fail("FAILED: " + what)


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


if __name__ == "__main__":
    main()
