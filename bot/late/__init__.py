"""The Late API: `client.LateClient` and the wire models in `models`."""
