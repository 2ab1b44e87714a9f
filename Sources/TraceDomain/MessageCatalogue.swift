public import CanonicalJSON
import Foundation

/// The one catalogue of what a refusal means, keyed by the stable error codes, in Vietnamese: the
/// CLI prints it when `LANG`/`LC_MESSAGES` starts with `vi`, and `trace serve` hands the same
/// table to the clerk's app (`/app/messages.json`). A refusal's details (the lot, party, field and
/// value) follow the headline as the rule wrote them.
public enum MessageCatalogue {
    /// Vietnamese headlines by error code.
    public static let vietnamese: [String: String] = [
        "domain.bad_input": "dữ liệu không hợp lệ",
        "domain.unknown_party": "không có bên này trong sổ cái",
        "domain.key_not_valid":
            "khóa này không phải khóa hiện hành của bên nào đã đăng ký; hãy gửi khóa xác minh cho đơn vị vận hành để đăng ký",
        "domain.role_not_allowed": "vai trò của bên ký không được làm việc này",
        "domain.unknown_lot": "không có lô này",
        "domain.lot_exists": "mã lô này đã được dùng; hãy chọn mã lô khác",
        "domain.not_custodian": "bạn không đang giữ lô này",
        "domain.overdrawn": "số lượng vượt quá lượng lô còn lại",
        "domain.yield_exceeded": "sản lượng đầu ra vượt giới hạn hiệu suất",
        "domain.not_shipped_to_you": "lô này không được gửi cho bạn",
        "domain.bad_time": "ngày giờ không hợp lệ",
        "domain.lot_not_active": "lô này không còn hoạt động (đã dùng hết, đã xuất khẩu, đang vận chuyển hoặc đã hủy)",
        "domain.on_hold": "lô này đang bị thu hồi (tạm giữ)",
        "domain.cannot_void": "không thể hủy mục này",
        "domain.unknown_plot": "không có thửa đất này",
        "domain.exists": "đã được đăng ký trước đó",
        "domain.not_checkpointed": "chưa có điểm kiểm tra (checkpoint) đã ký bao gồm mục này",
        "domain.cap_exceeded": "vượt hạn mức sản lượng do đơn vị vận hành đặt",
        "domain.no_cap": "đơn vị vận hành chưa đặt hạn mức cho quy trình hoặc cây trồng này",
        "domain.area_mismatch": "diện tích khai báo không khớp với ranh giới thửa đất",
        "domain.missing_code": "thiếu mã số vùng trồng hoặc mã số cơ sở đóng gói",
        "domain.not_opaque": "mã của một cá nhân phải là mã ẩn danh, không chứa tên",
        "domain.too_few_farms": "bộ lọc này chỉ còn quá ít nông hộ; số liệu sẽ làm lộ từng hộ",
        "ledger.bad_event": "sự kiện không đúng định dạng",
        "ledger.bad_signature": "chữ ký không hợp lệ",
        "ledger.event_id_conflict": "mã sự kiện này đã được dùng cho một sự kiện khác",
        "ledger.store_full": "ổ đĩa đầy; không có gì được ghi",
        "ledger.store": "không ghi được vào sổ cái",
        "ledger.no_such_ledger": "không có sổ cái ở đường dẫn này",
        "ledger.exists": "sổ cái đã tồn tại",
        "ledger.refused": "sổ cái từ chối yêu cầu",
        "crypto.bad_key_file": "tệp khóa không dùng được",
        "crypto.key_file_exists": "tệp khóa đã tồn tại; không ghi đè",
        "crypto.bad_verifier_key": "khóa xác minh không hợp lệ",
        "certificate.not_exporter": "chỉ nhà xuất khẩu đang giữ lô mới cấp được chứng nhận",
        "certificate.recalled": "lô này đang bị thu hồi",
        "request.rate_limited": "gửi quá nhanh; hãy chờ rồi gửi lại (gửi lại cùng sự kiện là an toàn)",
        "request.too_large": "yêu cầu quá lớn",
        "request.bad_batch": "lô sự kiện không hợp lệ",
        "request.refused": "máy chủ từ chối ghi (máy chủ chỉ đọc?)",
        "client.unreachable": "không kết nối được máy chủ; hãy thử lại khi có mạng",
        "client.queued": "không có mạng: sự kiện đã được lưu vào hộp thư chờ; chạy `trace sync` khi có mạng",
        "csv.bad_file": "tệp CSV không đọc được",
        "csv.bad_header": "tiêu đề cột không nhận ra được",
        "csv.bad_value": "giá trị trong ô không hợp lệ",
        "csv.missing_value": "thiếu giá trị bắt buộc",
    ]

    /// The Vietnamese headline for `code`, if the catalogue has one.
    public static func vietnamese(_ code: String) -> String? { vietnamese[code] }

    /// The catalogue as JSON (`{"vi": {code: text}}`), for the clerk's app.
    public static var json: JSONValue {
        ["vi": .object(vietnamese.mapValues { .string($0) })]
    }

    /// A rule's message without the internal event id it starts with ("event ev-…: "): a clerk
    /// acts on the lot, party and field the rest names, never on an id the software made up.
    public static func withoutEventID(_ message: String) -> String {
        guard message.hasPrefix("event "), let colon = message.range(of: ": ") else { return message }
        let id = message[message.index(message.startIndex, offsetBy: 6)..<colon.lowerBound]
        guard !id.isEmpty, !id.contains(" ") else { return message }
        return String(message[colon.upperBound...])
    }
}
