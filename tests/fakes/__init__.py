"""Local stand-ins for model vendors the tests cannot reach, one ASGI app per vendor."""
