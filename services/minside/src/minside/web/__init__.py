"""The citizen's web pages: login, sessions, security headers, templates and routes."""
