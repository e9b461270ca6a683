"""The AI gateway: providers for every model vendor, rate limits, usage, cost and fallbacks."""
