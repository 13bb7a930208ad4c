"""The API toolkit every app's /api/v1/ views share: permissions by scope, fields, filters, cursors,
the JSON parser and the one error shape. Authentication by API key is wiring (integrations, via settings)."""
