import CNATS

extension ConsumerInfo {
    init(_ info: UnsafeMutablePointer<jsConsumerInfo>) {
        let ci = info.pointee
        let config = ci.Config?.pointee
        self.init(
            stream: ci.Stream.map { String(cString: $0) } ?? "",
            name: ci.Name.map { String(cString: $0) } ?? "",
            numPending: ci.NumPending,
            numAckPending: Int(ci.NumAckPending),
            numRedelivered: Int(ci.NumRedelivered),
            numWaiting: Int(ci.NumWaiting),
            deliveredStreamSequence: ci.Delivered.Stream,
            deliveredConsumerSequence: ci.Delivered.Consumer,
            ackFloorStreamSequence: ci.AckFloor.Stream,
            ackFloorConsumerSequence: ci.AckFloor.Consumer,
            filterSubject: config?.FilterSubject.map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 },
            ackWait: .nanoseconds(config?.AckWait ?? 0),
            maxAckPending: Int(config?.MaxAckPending ?? 0),
            maxDeliver: Int(config?.MaxDeliver ?? -1),
            ackPolicy: config.flatMap {
                switch $0.AckPolicy {
                case js_AckExplicit: .explicit
                case js_AckAll: .all
                default: nil
                }
            }
        )
    }
}
