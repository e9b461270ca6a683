"""One router module per service; ``server.app.ROUTERS`` lists them."""
