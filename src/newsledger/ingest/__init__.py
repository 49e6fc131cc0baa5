"""① Where documents come from: each reader yields RawDoc records, or Failure records for inputs
that cannot become one (unreadable, binary, too large, invalid JSON)."""
