"""Sign in with X: OAuth 2.0 Authorization Code with PKCE for a public client (a desktop app has no secret to keep),
through the system browser and a loopback redirect on 127.0.0.1; the token kept in the keyring and renewed before
it expires, across threads and processes; "Test connection"; sign-out that revokes. No Qt here: the settings page,
the sign-in dialog and `main.py account` all use these modules.
"""
