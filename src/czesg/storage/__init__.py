"""Low-level database plumbing shared by the apps; it imports no app."""
