"""What serving the dashboard needs beside its page: login (`auth`, `login_throttle`), working
offline (`offline`), and the JSON API on the same server (`api` and its `api_*` parts)."""
