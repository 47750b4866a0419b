"""Row ids: a 64-bit integer column holds at most ``MAX_ID``. A larger id is bad input, refused
with a clear error, not a database driver's overflow."""

MAX_ID = 2**63 - 1
