"""Qt-free services that views read and write through: each owns its database connections (one per thread)
and answers in records and arrays, never in SQL or connections. They live on the `AppContext`."""
