"""HTTP routes: thin functions converting schemas and calling one service each."""
