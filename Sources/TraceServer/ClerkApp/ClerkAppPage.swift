/// The clerk's app page: one HTML document laid out for a phone, Vietnamese first. Its text is
/// filled in by the script from its own dictionary (`data-t`), so switching language needs no
/// network; nothing is loaded from outside the server (no fonts, scripts or map tiles).
enum ClerkAppPage {
    static let html = #"""
        <!doctype html>
        <html lang="vi">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Sổ ghi chép hợp tác xã</title>
        <link rel="manifest" href="/app/manifest.webmanifest">
        <link rel="icon" href="data:,">
        <style>
        * { box-sizing: border-box; }
        body { margin: 0; font: 16px/1.4 system-ui, sans-serif; color: #1b2a1b; background: #f4f7f2; }
        header { display: flex; align-items: center; gap: .5rem; padding: .6rem .8rem; background: #1f5f2a; color: #fff; }
        header h1 { font-size: 1.05rem; margin: 0; flex: 1; }
        header button { background: #fff; color: #1f5f2a; border: 0; border-radius: 4px; padding: .3rem .6rem; font-weight: 600; }
        .net { font-size: .8rem; padding: .15rem .45rem; border-radius: 9px; background: #3b8a47; }
        .net.off { background: #b3261e; }
        nav { display: flex; flex-wrap: wrap; gap: .3rem; padding: .5rem; background: #e3ecdf; }
        nav button { flex: 1 1 30%; padding: .5rem .3rem; border: 1px solid #9bb79a; background: #fff; border-radius: 6px; font-size: .85rem; }
        nav button.on { background: #1f5f2a; color: #fff; border-color: #1f5f2a; }
        nav .badge { display: inline-block; min-width: 1.2em; margin-left: .2em; border-radius: 9px; background: #b3261e; color: #fff; font-size: .75rem; }
        main { padding: .8rem; max-width: 40rem; margin: 0 auto; }
        section { display: none; }
        section.on { display: block; }
        h2 { font-size: 1.1rem; margin: .2rem 0 .6rem; }
        label { display: block; margin: .5rem 0 .2rem; font-weight: 600; font-size: .9rem; }
        input, select, textarea { width: 100%; padding: .55rem; font-size: 1rem; border: 1px solid #9bb79a; border-radius: 6px; background: #fff; }
        textarea { min-height: 5rem; font-family: ui-monospace, monospace; font-size: .85rem; }
        button.main { display: block; width: 100%; margin: .8rem 0 .3rem; padding: .75rem; font-size: 1rem; font-weight: 700;
          background: #1f5f2a; color: #fff; border: 0; border-radius: 6px; }
        button.side { margin: .3rem .3rem .3rem 0; padding: .5rem .7rem; border: 1px solid #1f5f2a; background: #fff; color: #1f5f2a; border-radius: 6px; }
        .row { display: flex; gap: .5rem; }
        .row > * { flex: 1; }
        code, .mono { font-family: ui-monospace, monospace; font-size: .8rem; word-break: break-all; }
        .box { background: #fff; border: 1px solid #c9d8c5; border-radius: 6px; padding: .6rem; margin: .5rem 0; }
        .hint { color: #4a5a48; font-size: .85rem; }
        #msg { position: sticky; top: 0; z-index: 5; }
        #msg div { margin: .4rem .8rem; padding: .6rem; border-radius: 6px; background: #dff0d8; border: 1px solid #7dbb72; }
        #msg div.bad { background: #fbe4e2; border-color: #d2665f; }
        .item { background: #fff; border-left: 5px solid #d4a017; padding: .5rem .6rem; margin: .4rem 0; border-radius: 4px; }
        .item[data-state="refused"] { border-color: #b3261e; }
        .item[data-state="sent"] { border-color: #3b8a47; }
        .item .why { color: #b3261e; font-weight: 600; }
        table { width: 100%; border-collapse: collapse; font-size: .85rem; background: #fff; }
        td, th { border-bottom: 1px solid #dde6da; padding: .35rem; text-align: left; vertical-align: top; }
        #sheet { display: none; }
        @media print {
          @page { size: A4; margin: 8mm 5mm; }
          body { background: #fff; }
          header, nav, main, #msg { display: none !important; }
          #sheet { display: grid !important; grid-template-columns: repeat(3, 1fr); grid-auto-rows: 35mm; gap: 0 2mm; }
        }
        #sheet .label { display: flex; align-items: center; gap: 2mm; padding: 2mm; overflow: hidden; font-size: 9pt; }
        #sheet .label img { width: 28mm; height: 28mm; }
        #sheet.preview { display: grid; grid-template-columns: repeat(3, 1fr); gap: 4px; background: #fff; padding: 4px; }
        #sheet.preview .label { border: 1px dashed #9bb79a; font-size: .7rem; }
        #sheet.preview .label img { width: 56px; height: 56px; }
        </style>
        </head>
        <body>
        <header>
          <h1 data-t="title">Sổ ghi chép hợp tác xã</h1>
          <span id="net" class="net" data-t="online">Có mạng</span>
          <button id="lang" type="button">English</button>
        </header>
        <div id="msg" role="status" aria-live="polite"></div>
        <nav>
          <button type="button" data-tab="key" data-t="tabKey">Khóa</button>
          <button type="button" data-tab="plot" data-t="tabPlot">Thửa đất</button>
          <button type="button" data-tab="harvest" data-t="tabHarvest">Thu hoạch</button>
          <button type="button" data-tab="move" data-t="tabMove">Giao nhận</button>
          <button type="button" data-tab="lists" data-t="tabLists">Danh sách</button>
          <button type="button" data-tab="outbox" id="tab-outbox-button"><span data-t="tabOutbox">Hộp thư chờ</span><span id="ob-badge" class="badge"></span></button>
          <button type="button" data-tab="labels" data-t="tabLabels">Nhãn QR</button>
          <button type="button" data-tab="member" data-t="tabMember">Xã viên</button>
        </nav>
        <main>
        <section id="tab-key">
          <h2 data-t="keyTitle">Khóa ký của đơn vị</h2>
          <p id="key-status" class="box"></p>
          <label for="key-name" data-t="keyName">Tên khóa (không dấu cách)</label>
          <input id="key-name" autocomplete="off" placeholder="htx-tan-lap">
          <button id="key-new" class="main" type="button" data-t="keyNew">Tạo khóa trên máy này</button>
          <label for="key-file" data-t="keyImport">Hoặc nhập tệp khóa (PKCS#8 .key)</label>
          <input id="key-file" type="file" accept=".key,.pem,application/x-pem-file,text/plain">
          <div id="key-show" class="box" hidden>
            <p data-t="keyGive">Khóa xác minh: gửi cho đơn vị vận hành để đăng ký</p>
            <code id="vkey"></code>
            <p id="party"></p>
            <button id="key-check" class="side" type="button" data-t="keyCheck">Kiểm tra đăng ký</button>
          </div>
          <p class="hint" data-t="keyHint">Khóa bí mật được tạo và giữ trong trình duyệt này, không thể sao chép ra ngoài; máy chủ không giữ khóa của bạn.</p>
        </section>
        <section id="tab-plot">
          <h2 data-t="plotTitle">Đăng ký thửa đất</h2>
          <div class="row">
            <div><label for="plot-id" data-t="plotId">Mã thửa</label><input id="plot-id" autocomplete="off"></div>
            <div><label for="plot-farm" data-t="plotFarm">Nông hộ (mã)</label><input id="plot-farm" autocomplete="off" list="farm-list"></div>
          </div>
          <datalist id="farm-list"></datalist>
          <div class="row">
            <div><label for="plot-crop" data-t="plotCrop">Cây trồng</label><input id="plot-crop" placeholder="lúa ST25"></div>
            <div><label for="plot-area" data-t="plotArea">Diện tích (ha)</label><input id="plot-area" inputmode="decimal" placeholder="2,5"></div>
          </div>
          <label data-t="plotShape">Ranh giới</label>
          <button id="plot-gps" class="side" type="button" data-t="plotGps">Điểm GPS tại đây</button>
          <button id="plot-corner" class="side" type="button" data-t="plotCorner">Thêm góc tại đây</button>
          <button id="plot-clear" class="side" type="button" data-t="plotClear">Xóa các góc</button>
          <label for="plot-geojson" data-t="plotPaste">Hoặc dán GeoJSON (Point, Polygon, Feature, FeatureCollection)</label>
          <textarea id="plot-geojson" spellcheck="false"></textarea>
          <p id="plot-summary" class="hint"></p>
          <button id="plot-save" class="main" type="button" data-t="plotSave">Ký và ghi thửa đất</button>
        </section>
        <section id="tab-harvest">
          <h2 data-t="harvestTitle">Ghi thu hoạch</h2>
          <div class="row">
            <div><label for="h-lot" data-t="lot">Mã lô</label><input id="h-lot" autocomplete="off" autocapitalize="characters"></div>
            <div><label for="h-plot" data-t="plot">Thửa đất</label><input id="h-plot" autocomplete="off" list="plot-list"></div>
          </div>
          <datalist id="plot-list"></datalist>
          <label for="h-product" data-t="product">Sản phẩm</label><input id="h-product" placeholder="Lúa ST25">
          <div class="row">
            <div><label for="h-quantity" data-t="quantity">Khối lượng</label><input id="h-quantity" inputmode="decimal" placeholder="1200,5"></div>
            <div><label for="h-unit" data-t="unit">Đơn vị</label>
              <select id="h-unit"><option>kg</option><option>t</option><option>tạ</option><option>yến</option></select></div>
          </div>
          <label for="h-date" data-t="harvested">Ngày thu hoạch</label><input id="h-date" type="date">
          <button id="h-save" class="main" type="button" data-t="harvestSave">Ký và ghi thu hoạch</button>
          <label for="csv-file" data-t="csvUpload">Nhập từ bảng tính (CSV)</label>
          <input id="csv-file" type="file" accept=".csv,text/csv">
          <p class="hint" data-t="csvHint">Thu hoạch, gửi hàng, nhận hàng; tiêu đề tiếng Việt hoặc tiếng Anh; mọi dòng được kiểm tra trước khi ghi.</p>
        </section>
        <section id="tab-move">
          <h2 data-t="moveTitle">Gửi, nhận, chế biến</h2>
          <label for="m-kind" data-t="moveKind">Việc</label>
          <select id="m-kind">
            <option value="ship" data-t="ship">Gửi lô cho bên khác</option>
            <option value="receive" data-t="receive">Nhận lô được gửi đến</option>
            <option value="transform" data-t="transform">Chế biến (sấy, xay, đóng gói)</option>
          </select>
          <div id="m-lot-row"><label for="m-lot" data-t="lot">Mã lô</label><input id="m-lot" autocomplete="off" list="held-list"></div>
          <datalist id="held-list"></datalist>
          <div id="m-to-row"><label for="m-to" data-t="moveTo">Gửi cho (mã bên nhận)</label><input id="m-to" autocomplete="off"></div>
          <div id="m-transform" hidden>
            <label for="t-inputs" data-t="tInputs">Đầu vào: mỗi dòng LÔ:KHỐI LƯỢNG:ĐƠN VỊ</label><textarea id="t-inputs"></textarea>
            <label for="t-outputs" data-t="tOutputs">Đầu ra: mỗi dòng LÔ:KHỐI LƯỢNG:ĐƠN VỊ</label><textarea id="t-outputs"></textarea>
            <div class="row">
              <div><label for="t-product" data-t="product">Sản phẩm</label><input id="t-product" placeholder="Gạo ST25"></div>
              <div><label for="t-process" data-t="tProcess">Quy trình</label><input id="t-process" placeholder="milling"></div>
            </div>
            <label for="t-yield" data-t="tYield">Hiệu suất tối đa (đầu ra / đầu vào)</label><input id="t-yield" inputmode="decimal" placeholder="0,65">
          </div>
          <button id="m-save" class="main" type="button" data-t="moveSave">Ký và ghi</button>
        </section>
        <section id="tab-lists">
          <h2 data-t="listsTitle">Danh sách</h2>
          <button id="l-mine" class="side" type="button" data-t="listMine">Lô của tôi</button>
          <button id="l-held" class="side" type="button" data-t="listHeld">Lô tôi đang giữ</button>
          <label for="l-code" data-t="listStory">Câu chuyện của một lô</label>
          <div class="row"><input id="l-code" autocomplete="off"><button id="l-story" class="side" type="button" data-t="show">Xem</button></div>
          <div id="l-out"></div>
        </section>
        <section id="tab-outbox">
          <h2 data-t="outboxTitle">Hộp thư chờ</h2>
          <p id="ob-count" class="box"></p>
          <button id="send-now" class="main" type="button" data-t="sendNow">Gửi ngay</button>
          <div id="outbox-list"></div>
          <p class="hint" data-t="outboxHint">Mỗi sự kiện đã ký trên máy này và mang mã riêng: gửi lại nhiều lần vẫn chỉ được ghi một lần. Không sự kiện nào bị xóa âm thầm.</p>
        </section>
        <section id="tab-labels">
          <h2 data-t="labelsTitle">In nhãn QR (tờ A4)</h2>
          <div class="row">
            <div><label for="label-lot" data-t="lot">Mã lô</label><input id="label-lot" autocomplete="off"></div>
            <div><label for="label-count" data-t="labelCount">Số nhãn</label><input id="label-count" type="number" min="1" max="240" value="24"></div>
          </div>
          <label for="label-gtin" data-t="labelGtin">GTIN (không bắt buộc)</label><input id="label-gtin" inputmode="numeric">
          <button id="label-make" class="main" type="button" data-t="labelMake">Xem tờ nhãn</button>
          <button id="label-print" class="side" type="button" data-t="labelPrint">In</button>
        </section>
        <section id="tab-member">
          <h2 data-t="memberTitle">Đề nghị đăng ký xã viên</h2>
          <p class="hint" data-t="memberHint">Chỉ đơn vị vận hành đăng ký các bên. Thông tin cá nhân không gửi qua máy chủ: ứng dụng tạo một tệp để chuyển cho đơn vị vận hành.</p>
          <label for="mb-name" data-t="memberName">Họ tên</label><input id="mb-name">
          <div class="row">
            <div><label for="mb-phone" data-t="memberPhone">Điện thoại</label><input id="mb-phone" inputmode="tel"></div>
            <div><label for="mb-idnum" data-t="memberId">Số CCCD</label><input id="mb-idnum" inputmode="numeric"></div>
          </div>
          <label for="mb-vkey" data-t="memberVkey">Khóa xác minh của nông hộ</label><input id="mb-vkey" autocomplete="off">
          <button id="mb-make" class="main" type="button" data-t="memberMake">Tạo tệp đề nghị</button>
          <pre id="mb-out" class="box mono" hidden></pre>
        </section>
        </main>
        <div id="sheet"></div>
        <script src="/app/app.js"></script>
        </body>
        </html>

        """#

    static let manifest = #"""
        {"name":"Sổ ghi chép hợp tác xã","short_name":"Trace","start_url":"/app","scope":"/app","display":"standalone",
         "background_color":"#f4f7f2","theme_color":"#1f5f2a","lang":"vi"}

        """#
}
