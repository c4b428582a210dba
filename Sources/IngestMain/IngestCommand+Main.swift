import ArgumentParser
import Ingest

// projection-ingest: everything lives in the Ingest library, so tests and the test kit can link it.
@main
extension IngestCommand {}
