"""Delta tables: typed I/O, governed writes and reads, history and the change feed."""
