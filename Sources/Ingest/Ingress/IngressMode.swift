/// The CloudEvents HTTP content modes the ingress takes.
enum IngressMode: String, Sendable {
    /// `Content-Type: application/cloudevents+json`: one event, the body is the event.
    case structured
    /// `ce-*` headers: one event, the body is its data.
    case binary
    /// `Content-Type: application/cloudevents-batch+json`: a JSON array of structured events.
    case batch
}
