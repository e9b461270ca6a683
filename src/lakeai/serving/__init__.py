"""Serving endpoints: the one way to call any model, with the AI gateway's controls."""
