"""Shared HTTP plumbing that imports no app: problem documents (RFC 7807) and their statuses, the
active language, the API's authentication checks and pagination. Apps import it; it imports only
the engine's refusals, Django and django-ninja."""
