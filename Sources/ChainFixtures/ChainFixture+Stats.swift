public import CanonicalJSON
import Foundation
public import TestSupport
public import TraceDomain

extension ChainFixture {
    /// For statistics: five member farms of one cooperative: four grow rice, one mangoes. Three rice harvests are
    /// milled, certified VietGAP and exported to Germany.
    public static func fiveFarms(store: StoreKind = .sqlite) throws -> ChainFixture {
        let f = try ChainFixture(store: store)
        for n in 2...5 {
            try f.register(
                "nong-ho-\(n)", roles: ["farm"], personal: ["name": "Trần Thị Số \(n)", "phone": "09090000\(n)\(n)"],
                memberOf: "htx-tan-lap")
            try f.submit(
                "htx-tan-lap", "plot.register",
                [
                    "plot": [
                        "id": .string("P-00\(n)"), "farm": .string("nong-ho-\(n)"), "crop": n == 5 ? "xoài" : "lúa",
                        "areaHa": "2.5", "geometry": try PlotGeometry(geojson: Self.polygon).storedJSON,
                    ]
                ])
        }
        for n in 1...5 {
            try f.submit(
                "htx-tan-lap", "harvest",
                [
                    "lot": .string("H-\(n)"), "product": n == 5 ? "Xoài cát Hòa Lộc" : "Lúa ST25", "quantity": "1000",
                    "unit": "kg",
                    "plot": .string("P-00\(n)"), "harvested": n == 4 ? "2026-08-02" : "2026-07-01",
                ])
        }
        for lot in ["H-1", "H-2", "H-3"] {
            try f.submit("htx-tan-lap", "ship", ["lot": .string(lot), "to": "nha-may-xay-xat"])
            try f.submit("nha-may-xay-xat", "receive", ["lot": .string(lot)])
        }
        try f.submit(
            "nha-may-xay-xat", "transform",
            [
                "process": "milling", "yieldLimit": "0.7",
                "inputs": [
                    ["lot": "H-1", "quantity": "1000"], ["lot": "H-2", "quantity": "1000"], ["lot": "H-3", "quantity": "1000"],
                ],
                "outputs": [["lot": "RICE-1", "product": "Gạo ST25", "quantity": "2000"]],
            ])
        try f.submit(
            "vietgap-cert", "certify",
            ["lot": "RICE-1", "scheme": "VietGAP", "documentSha256": .string(String(repeating: "ab", count: 32))])
        try f.submit("nha-may-xay-xat", "ship", ["lot": "RICE-1", "to": "vinarice-export"])
        try f.submit("vinarice-export", "receive", ["lot": "RICE-1"])
        try f.submit(
            "vinarice-export", "export", ["lot": "RICE-1", "buyer": "hamburg-foods", "country": "DE", "container": "MSCU1234565"])
        return f
    }

}
