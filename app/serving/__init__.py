"""What serving the dashboard needs beside its page: login (`auth`, `login_throttle`) and
working offline (`offline`)."""
