import Foundation
import Testing
@testable import Ingest

@Suite("/admin/ingestion without the admin token")
struct LastErrorRedactionTests {
    @Test("last_error keeps its operation only, at any depth; everything else is unchanged")
    func redacts() throws {
        let document = #"{"checkpoint":7,"last_error":"insert_rows: store data_rejected: value 'secret-42'","partitions":[{"last_error":"fetch: timeout","lag":3}]}"#
        let redacted = LastErrorRedaction.redacted(Data(document.utf8))
        let text = String(decoding: redacted, as: UTF8.self)
        #expect(!text.contains("secret-42"))
        let object = try #require(try JSONSerialization.jsonObject(with: redacted) as? [String: Any])
        #expect(object["last_error"] as? String == "insert_rows: details need the admin token")
        #expect((object["checkpoint"] as? NSNumber)?.intValue == 7)
        let partition = try #require((object["partitions"] as? [[String: Any]])?.first)
        #expect(partition["last_error"] as? String == "fetch: details need the admin token")
        #expect((partition["lag"] as? NSNumber)?.intValue == 3)
    }

    @Test("a document that does not parse is not shown unredacted")
    func failsClosed() {
        let broken = #"{"last_error":"insert_rows: value 'secret-42'""#
        let text = String(decoding: LastErrorRedaction.redacted(Data(broken.utf8)), as: UTF8.self)
        #expect(!text.contains("secret-42") && text.contains("admin token"))
    }
}
