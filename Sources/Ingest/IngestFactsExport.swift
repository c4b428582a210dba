// Decoding and mapping live in the IngestFacts library (so the bench can link them without the
// server stack); re-exported so the ingest's files and tests keep seeing them as before.
@_exported import IngestFacts
