import CNATS

extension StreamInfo {
    init(_ info: UnsafeMutablePointer<jsStreamInfo>) {
        let state = info.pointee.State
        let config = info.pointee.Config?.pointee
        self.init(
            name: config?.Name.map { String(cString: $0) } ?? "",
            subjects: stringsFromCArray(config?.Subjects, count: config?.SubjectsLen ?? 0),
            messages: state.Msgs,
            bytes: state.Bytes,
            firstSequence: state.FirstSeq,
            lastSequence: state.LastSeq,
            consumerCount: Int(state.Consumers)
        )
        replicas = Int(config?.Replicas ?? 1)
        maxAgeNanoseconds = config?.MaxAge ?? 0
        if let leader = info.pointee.Cluster?.pointee.Leader, leader.pointee != 0 {
            clusterLeader = String(cString: leader)
        }
    }
}
