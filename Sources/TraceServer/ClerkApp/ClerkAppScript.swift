/// The clerk's app script. It signs events on the device (WebCrypto Ed25519, the private key
/// non-extractable in IndexedDB), keeps every signed event in an IndexedDB outbox until the
/// server has answered for it, and writes only through `POST /v1/events`. Canonical JSON and the
/// signed message follow docs/FORMAT.md sections 2 to 4.
enum ClerkAppScript {
    static let source = #"""
        "use strict";
        const T = {
          vi: {
            title: "Sổ ghi chép hợp tác xã", online: "Có mạng", offline: "Mất mạng", other: "English",
            tabKey: "Khóa", tabPlot: "Thửa đất", tabHarvest: "Thu hoạch", tabMove: "Giao nhận", tabLists: "Danh sách",
            tabOutbox: "Hộp thư chờ", tabLabels: "Nhãn QR", tabMember: "Xã viên",
            keyTitle: "Khóa ký của đơn vị", keyName: "Tên khóa (không dấu cách)", keyNew: "Tạo khóa trên máy này",
            keyImport: "Hoặc nhập tệp khóa (PKCS#8 .key)", keyGive: "Khóa xác minh: gửi cho đơn vị vận hành để đăng ký",
            keyCheck: "Kiểm tra đăng ký",
            keyHint: "Khóa bí mật được tạo và giữ trong trình duyệt này, không thể sao chép ra ngoài; máy chủ không giữ khóa của bạn.",
            keyNone: "Chưa có khóa trên máy này.", keyMade: "Đã tạo khóa. Gửi khóa xác minh cho đơn vị vận hành.",
            keyImported: "Đã nhập khóa.", keyParty: "Đã đăng ký: bên ", keyUnregistered: "Khóa này chưa được đăng ký.",
            keyBadName: "Tên khóa chỉ gồm chữ không dấu, số, '-', '_' hoặc '.'.",
            keyReplace: "Đã có khóa trên máy này. Thay bằng khóa mới?",
            needKey: "Hãy tạo hoặc nhập khóa, và chờ đơn vị vận hành đăng ký, trước khi ghi.",
            plotTitle: "Đăng ký thửa đất", plotId: "Mã thửa", plotFarm: "Nông hộ (mã)", plotCrop: "Cây trồng",
            plotArea: "Diện tích (ha)", plotShape: "Ranh giới", plotGps: "Điểm GPS tại đây", plotCorner: "Thêm góc tại đây",
            plotClear: "Xóa các góc", plotPaste: "Hoặc dán GeoJSON (Point, Polygon, Feature, FeatureCollection)",
            plotSave: "Ký và ghi thửa đất", corners: "góc", point: "Điểm", polygon: "Đa giác", measured: "đo được",
            gpsFail: "Không lấy được vị trí GPS: ", manyFeatures: "Tệp có nhiều thửa; đã lấy thửa đầu tiên trong ",
            badGeo: "GeoJSON không đọc được: ",
            harvestTitle: "Ghi thu hoạch", lot: "Mã lô", plot: "Thửa đất", product: "Sản phẩm", quantity: "Khối lượng",
            unit: "Đơn vị", harvested: "Ngày thu hoạch", harvestSave: "Ký và ghi thu hoạch",
            csvUpload: "Nhập từ bảng tính (CSV)",
            csvHint: "Thu hoạch, gửi hàng, nhận hàng; tiêu đề tiếng Việt hoặc tiếng Anh; mọi dòng được kiểm tra trước khi ghi.",
            csvRefused: "Không ghi dòng nào. Sửa các ô sau rồi nhập lại:", csvDone: "Đã ký các dòng và đưa vào hộp thư chờ: ",
            row: "dòng", column: "cột",
            moveTitle: "Gửi, nhận, chế biến", moveKind: "Việc", ship: "Gửi lô cho bên khác", receive: "Nhận lô được gửi đến",
            transform: "Chế biến (sấy, xay, đóng gói)", moveTo: "Gửi cho (mã bên nhận)",
            tInputs: "Đầu vào: mỗi dòng LÔ:KHỐI LƯỢNG:ĐƠN VỊ", tOutputs: "Đầu ra: mỗi dòng LÔ:KHỐI LƯỢNG:ĐƠN VỊ",
            tProcess: "Quy trình", tYield: "Hiệu suất tối đa (đầu ra / đầu vào)", moveSave: "Ký và ghi",
            listsTitle: "Danh sách", listMine: "Lô của tôi", listHeld: "Lô tôi đang giữ", listStory: "Câu chuyện của một lô",
            show: "Xem", held: "còn", of: "trên", holder: "người giữ", status: "tình trạng", noLots: "Không có lô nào.",
            needNet: "Cần có mạng để xem danh sách mới nhất.", verdict: "Kết quả kiểm tra",
            outboxTitle: "Hộp thư chờ", sendNow: "Gửi ngay",
            outboxHint: "Mỗi sự kiện đã ký trên máy này và mang mã riêng: gửi lại nhiều lần vẫn chỉ được ghi một lần. Không sự kiện nào bị xóa âm thầm.",
            waiting: "đang chờ gửi", refused: "bị từ chối", sent: "đã ghi", entry: "mục", obEmpty: "Hộp thư chờ trống.",
            obCount: (w, r) => `${w} sự kiện đang chờ gửi, ${r} bị từ chối.`, dismiss: "Đã xem, bỏ khỏi danh sách",
            queued: "Đã ký và đưa vào hộp thư chờ: ", recorded: "Đã ghi vào sổ cái: ", refusedMsg: "Bị từ chối: ",
            labelsTitle: "In nhãn QR (tờ A4)", labelCount: "Số nhãn", labelGtin: "GTIN (không bắt buộc)",
            labelMake: "Xem tờ nhãn", labelPrint: "In",
            memberTitle: "Đề nghị đăng ký xã viên",
            memberHint: "Chỉ đơn vị vận hành đăng ký các bên. Thông tin cá nhân không gửi qua máy chủ: ứng dụng tạo một tệp để chuyển cho đơn vị vận hành.",
            memberName: "Họ tên", memberPhone: "Điện thoại", memberId: "Số CCCD", memberVkey: "Khóa xác minh của nông hộ",
            memberMake: "Tạo tệp đề nghị", memberDone: "Đã tạo tệp đề nghị; chuyển cho đơn vị vận hành.",
            missing: "Thiếu: ", badQuantity: "Khối lượng không hợp lệ: ",
          },
          en: {
            title: "Cooperative clerk's book", online: "Online", offline: "Offline", other: "Tiếng Việt",
            tabKey: "Key", tabPlot: "Plot", tabHarvest: "Harvest", tabMove: "Ship / receive", tabLists: "Lists",
            tabOutbox: "Outbox", tabLabels: "QR labels", tabMember: "Member",
            keyTitle: "Your organisation's signing key", keyName: "Key name (no spaces)", keyNew: "Make a key on this device",
            keyImport: "Or import a key file (PKCS#8 .key)", keyGive: "Verifier key: give it to the ledger operator to register",
            keyCheck: "Check registration",
            keyHint: "The private key is made and kept in this browser and cannot be copied out; the server never holds your key.",
            keyNone: "No key on this device yet.", keyMade: "Key made. Give the verifier key to the ledger operator.",
            keyImported: "Key imported.", keyParty: "Registered: party ", keyUnregistered: "This key is not registered yet.",
            keyBadName: "A key name is letters without accents, digits, '-', '_' or '.'.",
            keyReplace: "This device already has a key. Replace it with a new one?",
            needKey: "Make or import a key, and have the operator register it, before recording.",
            plotTitle: "Register a plot", plotId: "Plot id", plotFarm: "Member farm (id)", plotCrop: "Crop",
            plotArea: "Area (ha)", plotShape: "Boundary", plotGps: "GPS point here", plotCorner: "Add a corner here",
            plotClear: "Clear corners", plotPaste: "Or paste GeoJSON (Point, Polygon, Feature, FeatureCollection)",
            plotSave: "Sign and record the plot", corners: "corners", point: "Point", polygon: "Polygon", measured: "measures",
            gpsFail: "No GPS position: ", manyFeatures: "The file has several plots; took the first of ",
            badGeo: "GeoJSON not readable: ",
            harvestTitle: "Record a harvest", lot: "Lot code", plot: "Plot", product: "Product", quantity: "Quantity",
            unit: "Unit", harvested: "Harvest date", harvestSave: "Sign and record the harvest",
            csvUpload: "Import a spreadsheet (CSV)",
            csvHint: "Harvests, shipments, receipts; Vietnamese or English headers; every row is checked before anything is recorded.",
            csvRefused: "No row was recorded. Correct these cells and import again:", csvDone: "Rows signed and put in the outbox: ",
            row: "row", column: "column",
            moveTitle: "Ship, receive, transform", moveKind: "What", ship: "Ship a lot to another party",
            receive: "Receive a lot shipped to you", transform: "Transform (dry, mill, pack)", moveTo: "Ship to (party id)",
            tInputs: "Inputs: one LOT:QUANTITY:UNIT a line", tOutputs: "Outputs: one LOT:QUANTITY:UNIT a line",
            tProcess: "Process", tYield: "Yield limit (output per input)", moveSave: "Sign and record",
            listsTitle: "Lists", listMine: "My lots", listHeld: "What I hold", listStory: "A lot's story",
            show: "Show", held: "holds", of: "of", holder: "holder", status: "status", noLots: "No lots.",
            needNet: "The latest lists need the network.", verdict: "Check",
            outboxTitle: "Outbox", sendNow: "Send now",
            outboxHint: "Each event is signed on this device and carries its own id: sent any number of times, it is recorded once. Nothing is dropped silently.",
            waiting: "waiting to be sent", refused: "refused", sent: "recorded", entry: "entry", obEmpty: "The outbox is empty.",
            obCount: (w, r) => `${w} waiting to be sent, ${r} refused.`, dismiss: "Seen: remove from the list",
            queued: "Signed and put in the outbox: ", recorded: "Recorded in the ledger: ", refusedMsg: "Refused: ",
            labelsTitle: "Print QR labels (A4 sheet)", labelCount: "Labels", labelGtin: "GTIN (optional)",
            labelMake: "Preview the sheet", labelPrint: "Print",
            memberTitle: "Propose a member farmer",
            memberHint: "Only the ledger operator registers parties. Personal data never goes through the server: the app makes a file for the operator.",
            memberName: "Full name", memberPhone: "Phone", memberId: "ID card number", memberVkey: "The farmer's verifier key",
            memberMake: "Make the proposal file", memberDone: "Proposal file made; hand it to the ledger operator.",
            missing: "Missing: ", badQuantity: "Not a quantity: ",
          },
        };
        let lang = localStorage.getItem("lang") || "vi";
        const t = (k) => T[lang][k] ?? T.vi[k] ?? k;
        const $ = (id) => document.getElementById(id);
        let catalogue = {};
        let me = null;
        let corners = [];
        let shape = null;

        // ---- IndexedDB: keys, the outbox, and cached look-ups ----
        let dbPromise = null;
        function db() {
          dbPromise ??= new Promise((resolve, reject) => {
            const open = indexedDB.open("trace-clerk", 1);
            open.onupgradeneeded = () => {
              const d = open.result;
              d.createObjectStore("keys");
              d.createObjectStore("outbox", { keyPath: "id" });
              d.createObjectStore("cache");
            };
            open.onsuccess = () => resolve(open.result);
            open.onerror = () => reject(open.error);
          });
          return dbPromise;
        }
        async function store(name, mode, work) {
          const d = await db();
          return new Promise((resolve, reject) => {
            const tx = d.transaction(name, mode);
            const request = work(tx.objectStore(name));
            tx.oncomplete = () => resolve(request?.result);
            tx.onerror = () => reject(tx.error);
          });
        }
        const dbGet = (name, key) => store(name, "readonly", (s) => s.get(key));
        const dbPut = (name, value, key) => store(name, "readwrite", (s) => (key === undefined ? s.put(value) : s.put(value, key)));
        const dbAll = (name) => store(name, "readonly", (s) => s.getAll());
        const dbDelete = (name, key) => store(name, "readwrite", (s) => s.delete(key));

        // ---- bytes, hashes, canonical JSON (RFC 8785 with NFC strings) ----
        const utf8 = (s) => new TextEncoder().encode(s);
        const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
        const b64 = (b) => btoa(String.fromCharCode(...b));
        const unb64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
        async function sha256(bytes) { return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)); }
        function canonical(v) {
          if (v === null || typeof v === "boolean") return JSON.stringify(v);
          if (typeof v === "number") {
            if (!Number.isSafeInteger(v)) throw new Error("numbers in events are integers; decimals are strings");
            return String(v);
          }
          if (typeof v === "string") return JSON.stringify(v.normalize("NFC"));
          if (Array.isArray(v)) return "[" + v.map(canonical).join(",") + "]";
          const keys = Object.keys(v).map((k) => [k.normalize("NFC"), k]);
          keys.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
          return "{" + keys.map(([n, k]) => JSON.stringify(n) + ":" + canonical(v[k])).join(",") + "}";
        }
        // C2SP signed-note verifier key: name+hash+base64(0x01 || public key).
        async function verifierKey(name, pub) {
          const typed = new Uint8Array([1, ...pub]);
          const hash = (await sha256(new Uint8Array([...utf8(name), 0x0a, ...typed]))).slice(0, 4);
          return `${name}+${hex(hash)}+${b64(typed)}`;
        }

        // ---- the key ----
        async function loadKey() {
          me = (await dbGet("keys", "me")) ?? null;
          showKey();
        }
        function showKey() {
          $("key-show").hidden = !me;
          $("key-status").textContent = !me ? t("keyNone") : me.party ? t("keyParty") + me.party : t("keyUnregistered");
          if (me) {
            $("vkey").textContent = me.vkey;
            $("party").textContent = me.party ? t("keyParty") + me.party : t("keyUnregistered");
            $("key-name").value = me.name;
          }
        }
        function keyNameOK(name) { return /^[A-Za-z0-9._-]{1,64}$/.test(name); }
        async function makeKey() {
          const name = $("key-name").value.trim();
          if (!keyNameOK(name)) return say(t("keyBadName"), true);
          if (me && !confirm(t("keyReplace"))) return;
          const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
          const pub = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
          await saveKey(name, pair.privateKey, pub);
          say(t("keyMade"));
        }
        async function importKey(file) {
          const name = $("key-name").value.trim() || file.name.replace(/\.(key|pem)$/, "");
          if (!keyNameOK(name)) return say(t("keyBadName"), true);
          const pem = await file.text();
          const body = pem.replace(/-----(BEGIN|END) PRIVATE KEY-----/g, "").replace(/\s+/g, "");
          const der = unb64(body);
          // Read the public half once (extractable), then keep only a non-extractable copy.
          const open = await crypto.subtle.importKey("pkcs8", der, { name: "Ed25519" }, true, ["sign"]);
          const jwk = await crypto.subtle.exportKey("jwk", open);
          const pub = unb64(jwk.x.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (jwk.x.length % 4)) % 4));
          const key = await crypto.subtle.importKey("pkcs8", der, { name: "Ed25519" }, false, ["sign"]);
          await saveKey(name, key, pub);
          say(t("keyImported"));
        }
        async function saveKey(name, privateKey, pub) {
          me = { name, privateKey, publicHex: hex(pub), vkey: await verifierKey(name, pub), party: null };
          await dbPut("keys", me, "me");
          showKey();
          await checkKey();
        }
        async function checkKey() {
          if (!me) return;
          try {
            const r = await fetch("/v1/signers/" + me.publicHex, { cache: "no-store" });
            if (r.ok) {
              const a = await r.json();
              me.party = a.party;
              me.registered = a.vkey;
              await dbPut("keys", me, "me");
            }
          } catch (e) { /* offline: keep what we knew */ }
          showKey();
        }

        // ---- signing and the outbox ----
        function uuid() { return crypto.randomUUID ? crypto.randomUUID() : hex(crypto.getRandomValues(new Uint8Array(16))); }
        async function signEvent(type, fields) {
          if (!me || !me.party) throw new Error(t("needKey"));
          const event = { ...fields, id: "ev-" + uuid(), type, actor: me.party, time: new Date().toISOString() };
          const message = new Uint8Array([...utf8("trace.event.v1"), 0, ...utf8(canonical(event))]);
          const sig = new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, me.privateKey, message));
          return { event, key: me.registered || me.vkey, sig: b64(sig) };
        }
        async function record(type, fields, summary) {
          const submission = await signEvent(type, fields);
          await dbPut("outbox", { id: submission.event.id, submission, summary, state: "waiting", created: Date.now() });
          say(t("queued") + summary);
          await renderOutbox();
          await sendAll();
        }
        let sending = false;
        async function sendAll() {
          if (sending) return;
          sending = true;
          try {
            const items = (await dbAll("outbox")).filter((i) => i.state === "waiting").sort((a, b) => a.created - b.created);
            for (const item of items) {
              let r;
              try {
                r = await fetch("/v1/events", {
                  method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(item.submission),
                  cache: "no-store",
                });
              } catch (e) {
                setNet(false);
                break;
              }
              setNet(true);
              if (r.status === 429 || r.status >= 500) break;
              const answer = await r.json().catch(() => ({}));
              if (r.ok) {
                item.state = "sent";
                item.entry = answer.entry;
                item.duplicate = answer.duplicate === true;
                say(t("recorded") + item.summary + ` (${t("entry")} ${answer.entry})`);
              } else {
                item.state = "refused";
                item.code = answer.code || "";
                item.detail = answer.detail || answer.title || String(r.status);
                say(t("refusedMsg") + item.summary + ": " + reason(item), true);
              }
              await dbPut("outbox", item);
            }
          } finally {
            sending = false;
            await renderOutbox();
          }
        }
        // A refusal in the user's language: the catalogue's headline for the code, then the
        // detail the rule wrote, without the internal event id.
        function reason(item) {
          const detail = (item.detail || "").replace(/^event [A-Za-z0-9._:-]+: /, "");
          const head = lang === "vi" ? catalogue[item.code] : null;
          return (head ? head + " — " : "") + detail + (item.code ? ` [${item.code}]` : "");
        }
        async function renderOutbox() {
          const items = (await dbAll("outbox")).sort((a, b) => b.created - a.created);
          const waiting = items.filter((i) => i.state === "waiting").length;
          const refused = items.filter((i) => i.state === "refused").length;
          $("ob-badge").textContent = waiting + refused ? String(waiting + refused) : "";
          $("ob-count").textContent = items.length ? t("obCount")(waiting, refused) : t("obEmpty");
          const list = $("outbox-list");
          list.replaceChildren();
          for (const item of items.slice(0, 200)) {
            const div = document.createElement("div");
            div.className = "item";
            div.dataset.state = item.state;
            div.dataset.id = item.id;
            const head = document.createElement("div");
            head.textContent = `${item.summary} — ${t(item.state)}` + (item.state === "sent" ? ` (${t("entry")} ${item.entry})` : "");
            div.append(head);
            if (item.state === "refused") {
              const why = document.createElement("div");
              why.className = "why";
              why.textContent = reason(item);
              const dismiss = document.createElement("button");
              dismiss.className = "side";
              dismiss.type = "button";
              dismiss.textContent = t("dismiss");
              dismiss.onclick = async () => { await dbDelete("outbox", item.id); await renderOutbox(); };
              div.append(why, dismiss);
            }
            list.append(div);
          }
        }

        // ---- messages and the network light ----
        function say(text, bad = false) {
          const div = document.createElement("div");
          div.textContent = text;
          if (bad) div.className = "bad";
          $("msg").replaceChildren(div);
        }
        function setNet(on) {
          $("net").textContent = t(on ? "online" : "offline");
          $("net").classList.toggle("off", !on);
        }

        // ---- quantities and dates as clerks write them ----
        // "1.200,5" and "1200,5" (Vietnamese) and "1200.5" (English) are all 1200.5.
        function decimal(text) {
          let s = String(text ?? "").trim().replace(/\s/g, "");
          if (s.includes(",")) s = s.replace(/\./g, "").replace(",", ".");
          return /^\d+(\.\d+)?$/.test(s) && Number(s) > 0 ? s : null;
        }
        // A decimal string as the reader writes it: "1200,5" in Vietnamese.
        const shown = (d) => (lang === "vi" ? String(d).replace(".", ",") : String(d));
        const WORDS = {
          verified: "đã kiểm chứng", recalled: "đang bị thu hồi", not_verified: "không kiểm chứng được", active: "đang hoạt động",
          "used up": "đã dùng hết", exported: "đã xuất khẩu", voided: "đã hủy", harvest: "thu hoạch", ship: "gửi hàng",
          receive: "nhận hàng", transform: "chế biến", split: "chia lô", merge: "gộp lô", certify: "chứng nhận", export: "xuất khẩu",
          recall: "thu hồi", release: "dỡ thu hồi", "plot.register": "đăng ký thửa",
        };
        const word = (w) => (lang === "vi" ? WORDS[w] ?? String(w ?? "").replace(/^in transit to /, "đang chuyển đến ") : w ?? "");
        function need(values) {
          const missing = Object.entries(values).filter(([, v]) => !String(v ?? "").trim()).map(([k]) => t(k));
          if (missing.length) throw new Error(t("missing") + missing.join(", "));
        }

        // ---- plots: GPS point, walked corners, pasted GeoJSON ----
        const fixed = (x) => (Math.round(x * 1e6) / 1e6).toFixed(6);
        function stored(geometry) {
          if (geometry.type === "Point") return { type: "Point", coordinates: geometry.coordinates.map(fixed) };
          return { type: "Polygon", coordinates: geometry.coordinates.map((ring) => ring.map((p) => p.slice(0, 2).map(fixed))) };
        }
        function fromGeoJSON(text) {
          let g = JSON.parse(text);
          if (g.type === "FeatureCollection") {
            const features = (g.features || []).filter((f) => f && f.geometry && ["Point", "Polygon"].includes(f.geometry.type));
            if (!features.length) throw new Error("FeatureCollection: no Point or Polygon");
            if (features.length > 1) say(t("manyFeatures") + features.length);
            g = features[0];
          }
          if (g.type === "Feature") g = g.geometry;
          if (g.type === "MultiPolygon" && g.coordinates.length === 1) g = { type: "Polygon", coordinates: g.coordinates[0] };
          if (!["Point", "Polygon"].includes(g.type)) throw new Error(`"${g.type}" is not Point or Polygon`);
          return g;
        }
        // The area of a ring on a sphere of the WGS 84 mean radius, in hectares (enough to fill
        // the form; the ledger measures geodesically and allows 15%).
        function hectares(ring) {
          const R = 6371008.8, rad = Math.PI / 180;
          let sum = 0;
          for (let i = 0; i < ring.length - 1; i++) {
            const [l1, p1] = ring[i], [l2, p2] = ring[i + 1];
            sum += (l2 - l1) * rad * (2 + Math.sin(p1 * rad) + Math.sin(p2 * rad));
          }
          return Math.abs((sum * R * R) / 2) / 10000;
        }
        function showShape() {
          if (!shape) { $("plot-summary").textContent = corners.length ? `${corners.length} ${t("corners")}` : ""; return; }
          if (shape.type === "Point") {
            $("plot-summary").textContent = `${t("point")} ${shape.coordinates.join(", ")}`;
          } else {
            const ha = hectares(shape.coordinates[0]);
            $("plot-summary").textContent = `${t("polygon")}, ${shape.coordinates[0].length - 1} ${t("corners")}, ${t("measured")} ${ha.toFixed(2)} ha`;
            // The measured area fills the form until the clerk types one.
            if (!$("plot-area").dataset.typed) $("plot-area").value = shown(ha.toFixed(2));
          }
        }
        // A GPS fix to the ledger's six decimals (about 0.1 m).
        function position() {
          const six = (x) => Math.round(x * 1e6) / 1e6;
          return new Promise((resolve, reject) =>
            navigator.geolocation.getCurrentPosition(
              (p) => resolve([six(p.coords.longitude), six(p.coords.latitude)]), (e) => reject(new Error(t("gpsFail") + e.message)),
              { enableHighAccuracy: true, timeout: 30000 }));
        }
        async function gpsPoint() {
          const p = await position();
          corners = [];
          shape = { type: "Point", coordinates: p };
          $("plot-geojson").value = JSON.stringify(shape);
          showShape();
        }
        async function addCorner() {
          corners.push(await position());
          shape = corners.length >= 3 ? { type: "Polygon", coordinates: [[...corners, corners[0]]] } : null;
          if (shape) $("plot-geojson").value = JSON.stringify(shape);
          showShape();
        }
        async function savePlot() {
          const id = $("plot-id").value.trim(), farm = $("plot-farm").value.trim(), crop = $("plot-crop").value.trim();
          need({ plotId: id, plotFarm: farm, plotCrop: crop, plotArea: $("plot-area").value, plotShape: $("plot-geojson").value });
          const area = decimal($("plot-area").value);
          if (!area) throw new Error(t("badQuantity") + $("plot-area").value);
          let g;
          try { g = fromGeoJSON($("plot-geojson").value); } catch (e) { throw new Error(t("badGeo") + e.message); }
          await record("plot.register", { plot: { id, farm, crop, areaHa: area, geometry: stored(g) } }, `${t("plot")} ${id} (${shown(area)} ha, ${crop})`);
          corners = [];
          shape = null;
          delete $("plot-area").dataset.typed;
        }

        // ---- harvests, shipments, receipts, transforms ----
        async function saveHarvest() {
          const lot = $("h-lot").value.trim().toUpperCase(), plot = $("h-plot").value.trim(), product = $("h-product").value.trim();
          const date = $("h-date").value;
          need({ lot, plot, product, quantity: $("h-quantity").value, harvested: date });
          const quantity = decimal($("h-quantity").value);
          if (!quantity) throw new Error(t("badQuantity") + $("h-quantity").value);
          const unit = $("h-unit").value;
          await record("harvest", { lot, product, quantity, unit, plot, harvested: date }, `${t("lot")} ${lot}: ${shown(quantity)} ${unit} ${product}`);
          $("h-lot").value = "";
          $("h-quantity").value = "";
        }
        function lines(text) {
          return text.split(/\n/).map((l) => l.trim()).filter(Boolean).map((l) => {
            const [lot, q, unit] = l.split(":");
            const quantity = decimal(q);
            if (!lot || !quantity) throw new Error(t("badQuantity") + l);
            return { lot: lot.trim().toUpperCase(), quantity, unit: (unit || "kg").trim() };
          });
        }
        async function saveMove() {
          const kind = $("m-kind").value, lot = $("m-lot").value.trim().toUpperCase();
          if (kind === "ship") {
            const to = $("m-to").value.trim();
            need({ lot, moveTo: to });
            await record("ship", { lot, to }, `${t("ship")}: ${lot} → ${to}`);
          } else if (kind === "receive") {
            need({ lot });
            await record("receive", { lot }, `${t("receive")}: ${lot}`);
          } else {
            const product = $("t-product").value.trim(), process = $("t-process").value.trim();
            need({ tInputs: $("t-inputs").value, tOutputs: $("t-outputs").value, product, tProcess: process, tYield: $("t-yield").value });
            const yieldLimit = decimal($("t-yield").value);
            if (!yieldLimit) throw new Error(t("badQuantity") + $("t-yield").value);
            const inputs = lines($("t-inputs").value), outputs = lines($("t-outputs").value).map((o) => ({ ...o, product }));
            await record("transform", { process, yieldLimit, inputs, outputs },
              `${process}: ${inputs.map((i) => i.lot).join(", ")} → ${outputs.map((o) => o.lot).join(", ")}`);
          }
        }

        // ---- CSV from a spreadsheet: the same reading as `trace submit --csv` ----
        const HEADERS = {
          type: ["type", "loại", "loai", "loại sự kiện", "sự kiện"], lot: ["lot", "mã lô", "ma lo", "lô"],
          product: ["product", "sản phẩm", "san pham"], quantity: ["quantity", "khối lượng", "khoi luong", "số lượng", "so luong"],
          unit: ["unit", "đơn vị", "don vi"], plot: ["plot", "thửa", "mã thửa", "thửa đất", "ma thua"],
          harvested: ["harvested", "ngày thu hoạch", "ngay thu hoach", "date", "ngày"], to: ["to", "gửi cho", "bên nhận", "nơi nhận"],
        };
        const TYPES = { harvest: "harvest", "thu hoạch": "harvest", ship: "ship", "gửi": "ship", "gửi hàng": "ship", receive: "receive", "nhận": "receive", "nhận hàng": "receive" };
        function parseCSV(text) {
          text = text.replace(/^\uFEFF/, "");
          const first = text.split(/\r?\n/)[0] || "";
          const sep = (first.match(/;/g) || []).length > (first.match(/,/g) || []).length ? ";" : ",";
          const rows = [];
          let row = [], cell = "", quoted = false;
          for (let i = 0; i < text.length; i++) {
            const c = text[i];
            if (quoted) {
              if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
            } else if (c === '"') quoted = true;
            else if (c === sep) { row.push(cell); cell = ""; }
            else if (c === "\n" || c === "\r") {
              if (c === "\r" && text[i + 1] === "\n") i++;
              row.push(cell); rows.push(row); row = []; cell = "";
            } else cell += c;
          }
          if (cell || row.length) { row.push(cell); rows.push(row); }
          return rows.filter((r) => r.some((c) => c.trim()));
        }
        function csvEvents(text, fallbackType) {
          const rows = parseCSV(text);
          const head = rows.shift().map((h) => h.trim().toLowerCase().normalize("NFC"));
          const column = {};
          head.forEach((h, i) => { for (const [k, names] of Object.entries(HEADERS)) if (names.includes(h)) column[k] = i; });
          const problems = [], events = [];
          rows.forEach((r, n) => {
            const cell = (k) => (column[k] === undefined ? "" : (r[column[k]] || "").trim());
            const where = (k) => `${t("row")} ${n + 2}, ${t("column")} ${head[column[k]] ?? k}`;
            const type = TYPES[(cell("type") || fallbackType).toLowerCase()];
            if (!type) { problems.push(`${where("type")}: "${cell("type")}"`); return; }
            const wanted = { harvest: ["lot", "product", "quantity", "unit", "plot", "harvested"], ship: ["lot", "to"], receive: ["lot"] }[type];
            const fields = {};
            for (const k of wanted) {
              let v = cell(k);
              if (k === "unit" && !v) v = "kg";
              if (!v) { problems.push(`${where(k)}: ${t("missing")}${k}`); continue; }
              if (k === "quantity") { const d = decimal(v); if (!d) { problems.push(`${where(k)}: "${v}"`); continue; } v = d; }
              if (k === "harvested") {
                const m = v.match(/^(\d{1,2})\/(\d{1,2})\/(\d{4})$/);
                if (m) v = `${m[3]}-${m[2].padStart(2, "0")}-${m[1].padStart(2, "0")}`;
                if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) { problems.push(`${where(k)}: "${v}"`); continue; }
              }
              if (k === "lot") v = v.toUpperCase();
              fields[k] = v;
            }
            events.push({ type, fields, summary: `${t(type === "harvest" ? "lot" : type)} ${fields.lot}` });
          });
          return { problems, events };
        }
        async function importCSV(file) {
          const { problems, events } = csvEvents(await file.text(), "harvest");
          if (problems.length) return say(t("csvRefused") + " " + problems.join("; "), true);
          for (const e of events) {
            const submission = await signEvent(e.type, e.fields);
            await dbPut("outbox", { id: submission.event.id, submission, summary: e.summary, state: "waiting", created: Date.now() });
          }
          say(t("csvDone") + events.length);
          await renderOutbox();
          await sendAll();
        }

        // ---- lists ----
        async function getJSON(path, cacheKey) {
          try {
            const r = await fetch(path, { cache: "no-store" });
            if (!r.ok) throw new Error((await r.json().catch(() => ({}))).detail || r.status);
            const v = await r.json();
            if (cacheKey) await dbPut("cache", v, cacheKey);
            setNet(true);
            return v;
          } catch (e) {
            if (e instanceof TypeError) setNet(false);
            const cached = cacheKey ? await dbGet("cache", cacheKey) : undefined;
            if (cached) return cached;
            throw e instanceof TypeError ? new Error(t("needNet")) : e;
          }
        }
        function lotTable(lots) {
          if (!lots.length) { $("l-out").textContent = t("noLots"); return; }
          const table = document.createElement("table");
          table.id = "lot-table";
          for (const l of lots) {
            const tr = table.insertRow();
            tr.dataset.lot = l.lot;
            for (const text of [l.lot, l.product, `${t("held")} ${shown(l.heldKg)} ${t("of")} ${shown(l.producedKg)} kg`, `${t("holder")} ${l.custodian}`, word(l.status)]) {
              tr.insertCell().textContent = text;
            }
            tr.onclick = () => { $("l-code").value = l.lot; story(); };
          }
          $("l-out").replaceChildren(table);
        }
        async function myLots() {
          if (!me?.party) throw new Error(t("needKey"));
          const all = await getJSON("/v1/lots", "lots");
          lotTable(all.lots.filter((l) => (l.custodians || []).includes(me.party)));
        }
        async function heldLots() {
          if (!me?.party) throw new Error(t("needKey"));
          const held = await getJSON("/v1/lots?holder=" + encodeURIComponent(me.party), "held");
          lotTable(held.lots);
          $("held-list").replaceChildren(...held.lots.map((l) => new Option(l.lot)));
        }
        async function story() {
          const code = $("l-code").value.trim().toUpperCase();
          if (!code) return;
          const lot = await getJSON("/v1/lots/" + encodeURIComponent(code), "lot:" + code);
          const box = document.createElement("div");
          box.className = "box";
          box.id = "story";
          const h = document.createElement("h3");
          h.textContent = `${lot.lot} — ${lot.product}`;
          const v = document.createElement("p");
          v.textContent = `${t("verdict")}: ${word(lot.verdict?.verdict)} · ${t("status")}: ${word(lot.status)} · ${t("holder")}: ${lot.custodian}`;
          const table = document.createElement("table");
          for (const step of lot.timeline || []) {
            const tr = table.insertRow();
            for (const text of [`${t("entry")} ${step.entry}`, step.time?.slice(0, 16).replace("T", " "), word(step.type), step.actor]) tr.insertCell().textContent = text ?? "";
          }
          box.append(h, v, table);
          $("l-out").replaceChildren(box);
        }
        async function refreshLookups() {
          try {
            const plots = await getJSON("/v1/plots", "plots");
            $("plot-list").replaceChildren(...plots.plots.map((p) => new Option(`${p.crop}, ${p.areaHa} ha`, p.id)));
            const parties = await getJSON("/v1/parties", "parties");
            $("farm-list").replaceChildren(...parties.parties.filter((p) => p.roles.includes("farm")).map((p) => new Option(p.memberOf || "", p.id)));
          } catch (e) { /* lists are a convenience; typing works offline */ }
        }

        // ---- labels: an A4 sheet of the lot's Digital Link QR codes ----
        function makeLabels() {
          const lot = $("label-lot").value.trim().toUpperCase();
          need({ lot });
          const count = Math.max(1, Math.min(240, Number($("label-count").value) || 24));
          const gtin = $("label-gtin").value.trim();
          const src = "/app/qr/" + encodeURIComponent(lot) + (gtin ? "?gtin=" + encodeURIComponent(gtin) : "");
          const sheet = $("sheet");
          sheet.replaceChildren();
          for (let i = 0; i < count; i++) {
            const div = document.createElement("div");
            div.className = "label";
            const img = new Image();
            img.src = src;
            img.alt = "QR " + lot;
            const text = document.createElement("div");
            text.textContent = lot;
            div.append(img, text);
            sheet.append(div);
          }
          sheet.classList.add("preview");
          $("tab-labels").append(sheet);
        }

        // ---- member farmer proposal: a file for `trace party add --person` ----
        function makeProposal() {
          const name = $("mb-name").value.trim(), vkey = $("mb-vkey").value.trim();
          need({ memberName: name, memberVkey: vkey });
          if (!me?.party) throw new Error(t("needKey"));
          const phone = $("mb-phone").value.trim(), idNumber = $("mb-idnum").value.trim();
          const q = (s) => "'" + s.replace(/'/g, "'\\''") + "'";
          const command = ["trace party add --person --role farm", `--name ${q(name)}`, phone && `--phone ${q(phone)}`,
            idNumber && `--id-number ${q(idNumber)}`, `--member-of ${q(me.party)}`, `--vkey ${q(vkey)}`].filter(Boolean).join(" ");
          const proposal = { kind: "trace.member-proposal", memberOf: me.party, name, phone, idNumber, vkey, command, prepared: new Date().toISOString() };
          const text = JSON.stringify(proposal, null, 2);
          $("mb-out").hidden = false;
          $("mb-out").textContent = command;
          const a = document.createElement("a");
          a.href = URL.createObjectURL(new Blob([text], { type: "application/json" }));
          a.download = `member-${me.party}-${Date.now()}.json`;
          a.click();
          say(t("memberDone"));
        }

        // ---- wiring ----
        function applyLanguage() {
          document.documentElement.lang = lang;
          document.title = t("title");
          for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
          $("lang").textContent = t("other");
          setNet(navigator.onLine);
          showKey();
          showShape();
          renderOutbox();
        }
        function tab(name) {
          for (const s of document.querySelectorAll("main section")) s.classList.toggle("on", s.id === "tab-" + name);
          for (const b of document.querySelectorAll("nav button")) b.classList.toggle("on", b.dataset.tab === name);
          localStorage.setItem("tab", name);
        }
        function on(id, event, work) {
          $(id).addEventListener(event, async (e) => {
            try { await work(e); } catch (err) { say(err.message || String(err), true); }
          });
        }
        async function start() {
          for (const b of document.querySelectorAll("nav button")) b.onclick = () => tab(b.dataset.tab);
          on("lang", "click", () => {
            lang = lang === "vi" ? "en" : "vi";
            localStorage.setItem("lang", lang);
            $("msg").replaceChildren();
            applyLanguage();
          });
          on("key-new", "click", makeKey);
          on("key-file", "change", (e) => e.target.files[0] && importKey(e.target.files[0]));
          on("key-check", "click", checkKey);
          on("plot-gps", "click", gpsPoint);
          on("plot-corner", "click", addCorner);
          on("plot-clear", "click", () => { corners = []; shape = null; $("plot-geojson").value = ""; showShape(); });
          on("plot-geojson", "input", () => { try { shape = fromGeoJSON($("plot-geojson").value); } catch { shape = null; } showShape(); });
          on("plot-area", "input", () => { $("plot-area").dataset.typed = "1"; });
          on("plot-save", "click", savePlot);
          on("h-save", "click", saveHarvest);
          on("csv-file", "change", (e) => e.target.files[0] && importCSV(e.target.files[0]));
          on("m-kind", "change", () => {
            const k = $("m-kind").value;
            $("m-transform").hidden = k !== "transform";
            $("m-to-row").hidden = k !== "ship";
            $("m-lot-row").hidden = k === "transform";
          });
          on("m-save", "click", saveMove);
          on("l-mine", "click", myLots);
          on("l-held", "click", heldLots);
          on("l-story", "click", story);
          on("send-now", "click", sendAll);
          on("label-make", "click", makeLabels);
          on("label-print", "click", () => { makeLabels(); $("sheet").classList.remove("preview"); window.print(); });
          on("mb-make", "click", makeProposal);
          window.addEventListener("online", () => { setNet(true); sendAll(); });
          window.addEventListener("offline", () => setNet(false));
          $("h-date").value = new Date().toISOString().slice(0, 10);
          tab(localStorage.getItem("tab") || "key");
          applyLanguage();
          try {
            const r = await fetch("/app/messages.json");
            catalogue = (await r.json()).vi;
            await dbPut("cache", catalogue, "messages");
          } catch { catalogue = (await dbGet("cache", "messages")) || {}; }
          await loadKey();
          await checkKey();
          await renderOutbox();
          refreshLookups();
          sendAll();
          // Sends what waits whenever the network is back, even when no "online" event comes.
          setInterval(sendAll, 10000);
          if ("serviceWorker" in navigator) navigator.serviceWorker.register("/app/sw.js", { scope: "/app" }).catch(() => {});
        }
        start();

        """#
}
