import Foundation
import TestSupport
import Testing
import TraceLedger

/// The buyer's page checks its proofs in headless Chromium (driven by chromium-driver and
/// Selenium), anchored to the key fingerprints in the QR code's URL.
struct BrowserCheckTests {
    static let driver = "/usr/bin/chromedriver"
    static let available =
        Command.which("chromium") != nil && FileManager.default.fileExists(atPath: driver)
        && ((try? Command.run("python3", ["-c", "import selenium"]).status) == 0)

    /// Opens `url`, waits for the page's check, optionally changes one byte of a proof in the
    /// embedded data and checks again; prints {"state", "text"}.
    static let script = #"""
        import json, sys
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait
        url, mode = sys.argv[1], sys.argv[2]
        options = webdriver.ChromeOptions()
        for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]:
            options.add_argument(argument)
        browser = webdriver.Chrome(service=Service(sys.argv[3]), options=options)
        def settled(b):
            return b.find_element(By.ID, "trace-browser-check").get_attribute("data-state") != "pending"
        try:
            browser.get(url)
            WebDriverWait(browser, 30).until(settled)
            if mode == "tamper":
                browser.execute_script("""
                    const node = document.getElementById("trace-proofs");
                    const data = JSON.parse(node.textContent);
                    const entry = data.entries[data.entries.length - 1];
                    const first = entry.proof[0];
                    entry.proof[0] = (first[0] === "0" ? "1" : "0") + first.slice(1);
                    node.textContent = JSON.stringify(data);
                    document.getElementById("trace-browser-check").dataset.state = "pending";
                    window.traceCheck();
                """)
                WebDriverWait(browser, 30).until(settled)
            if mode == "forge-rotation":
                browser.execute_script("""
                    const node = document.getElementById("trace-proofs");
                    const data = JSON.parse(node.textContent);
                    for (const e of data.entries) {
                      const raw = atob(e.entryBytes);
                      if (!raw.includes('"operator.rotate"')) continue;
                      const at = raw.lastIndexOf('"sig":"') + 7;
                      e.entryBytes = btoa(raw.slice(0, at) + (raw[at] === "A" ? "B" : "A") + raw.slice(at + 1));
                    }
                    node.textContent = JSON.stringify(data);
                    document.getElementById("trace-browser-check").dataset.state = "pending";
                    window.traceCheck();
                """)
                WebDriverWait(browser, 30).until(settled)
            box = browser.find_element(By.ID, "trace-browser-check")
            print(json.dumps({"state": box.get_attribute("data-state"), "text": box.text}))
        finally:
            browser.quit()
        """#

    func open(_ url: String, mode: String = "plain") throws -> (state: String, text: String) {
        let folder = try Scratch.directory()
        try Self.script.write(toFile: folder + "/check.py", atomically: true, encoding: .utf8)
        let run = try Command.run("python3", [folder + "/check.py", url, mode, Self.driver])
        try #require(run.status == 0, "selenium: \(run.stderr)")
        let answer = try #require(
            try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: String], "\(run.stdout)")
        return (answer["state"] ?? "", answer["text"] ?? "")
    }

    @Test(.enabled(if: available, "SKIPPED: needs chromium, chromium-driver and Selenium (tools/setup installs them)"))
    func theBuyersPageVerifiesInTheBrowserFailsOnAChangedProofByteAndRefusesKeysNotOnTheLabel() throws {
        let s = try WitnessServerTests.Setup()
        defer { s.stop() }
        #expect(try s.f.post("/v1/events", try s.f.harvest("LA-B-1").json).status == 201)
        #expect(try s.f.post("/v1/events", try s.f.harvest("LA-B-2").json).status == 201)
        let size = UInt64(CLIHarness.setupEntries + 2)
        _ = try s.waitForCosignatures(["witness.test/w1", "witness.test/w2"], size: size)
        let k = KeyFingerprint.of(s.f.h.operatorVKey)
        let w = s.vkeys.prefix(2).map(KeyFingerprint.of)
        let page = s.f.server.url + "/lot/LA-B-1?k=\(k)&w=\(w[0])&w=\(w[1])"

        // Readable without scripts: the proofs ride along, the check explains itself.
        let html = try s.f.get("/lot/LA-B-1").text
        #expect(html.contains("id=\"trace-proofs\"") && html.contains("<script src=\"/verify.js\">"))
        #expect(try s.f.get("/verify.js").status == 200)

        let verified = try open(page)
        #expect(verified.state == "verified", "\(verified.text)")
        #expect(verified.text.contains("Checked in your browser"), "\(verified.text)")
        #expect(verified.text.contains("checkpoint of size \(size)"), "\(verified.text)")
        #expect(verified.text.contains("cosigned by witness.test/w1, witness.test/w2"), "\(verified.text)")

        let tampered = try open(page, mode: "tamper")
        #expect(tampered.state == "failed", "\(tampered.text)")
        #expect(
            tampered.text.contains("its inclusion proof does not lead to the root of the signed checkpoint of size \(size)"),
            "\(tampered.text)")

        let otherKey = String(repeating: "0", count: 32)
        let refused = try open(s.f.server.url + "/lot/LA-B-1?k=\(otherKey)")
        #expect(refused.state == "refused", "\(refused.text)")
        #expect(refused.text.contains("is not the one printed on the label (\(otherKey))"), "\(refused.text)")

        // A witness on the label whose key the page does not carry is refused too.
        let strangerWitness = KeyFingerprint.of(s.vkeys[2])
        let unknown = try open(s.f.server.url + "/lot/LA-B-1?k=\(k)&w=\(strangerWitness)")
        #expect(unknown.state == "refused", "\(unknown.text)")
    }

    /// After `trace operator rotate` the checkpoint is signed by the new key; the label still
    /// carries the genesis key's fingerprint, and the page follows the story's rotation entry.
    @Test(.enabled(if: available, "SKIPPED: needs chromium, chromium-driver and Selenium (tools/setup installs them)"))
    func theBuyersPageFollowsAnOperatorKeyRotationFromTheLabelsKeyAndRefusesAForgedOne() throws {
        let h = try CLIHarness()
        try h.appendEvents(1)
        let made = try h.run("keys", "new", "--name", "longan.trace.example/ledger", "--out", "new.operator.key")
        try #require(made.status == 0, "\(made.stderr)")
        let rotated = try h.run("operator", "rotate", "--new-key", "new.operator.key")
        try #require(rotated.status == 0, "\(rotated.stderr)")
        let rotation = CLIHarness.setupEntries + 1
        try FileManager.default.removeItem(atPath: h.operatorKeyPath)
        try FileManager.default.copyItem(atPath: h.directory + "/new.operator.key", toPath: h.operatorKeyPath)
        try h.appendEvents(1, from: 2)
        #expect(try h.run("checkpoint").status == 0)
        let server = try ServerProcess(["--ledger", h.ledger], directory: h.directory)
        defer { server.stop() }
        let page = server.url + "/lot/LA-ST25-1?k=\(KeyFingerprint.of(h.operatorVKey))"

        let verified = try open(page)
        #expect(verified.state == "verified", "\(verified.text)")
        #expect(verified.text.contains("through its key rotation in entry \(rotation)"), "\(verified.text)")

        let forged = try open(page, mode: "forge-rotation")
        #expect(forged.state == "failed", "\(forged.text)")
        #expect(
            forged.text.contains("entry \(rotation) rotates the operator key, but its signature does not verify"),
            "\(forged.text)")
    }
}
