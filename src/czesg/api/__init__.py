"""The versioned public REST API (django-ninja)."""
