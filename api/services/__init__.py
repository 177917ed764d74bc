"""Services: what the HTTP routes and the command line call; no HTTP here."""
