import Hummingbird

extension AdminError {
    /// The answer to an admin request that failed this way: 400 for a request naming too little, 409 for
    /// a pipeline not in a state to carry it out.
    var httpError: HTTPError {
        HTTPError(code == .invalidArgument ? .badRequest : .conflict, message: description)
    }
}
