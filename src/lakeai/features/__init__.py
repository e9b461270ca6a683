"""Feature serving: online tables (low-latency key lookups kept in sync with Delta tables)."""
