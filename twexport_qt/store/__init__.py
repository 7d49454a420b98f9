"""SQLite storage: one file in the data dir, WAL, versioned schema. Repositories per table group."""
