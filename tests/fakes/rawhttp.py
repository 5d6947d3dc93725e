"""The header block of an HTTP/1.1 reply, read from a raw socket: the fakes' (liar.py, unread.py) one reader.

Standard library only, and importable under `python -S` (the fakes' folder is first on sys.path).
"""


def read_head(sock, buffered):
    """Read up to the end of the header block; returns (status, headers with lower-case names, bytes already
    past it). ConnectionError if the connection closes first."""
    while b"\r\n\r\n" not in buffered:
        data = sock.recv(65536)
        if not data:
            raise ConnectionError("closed before the headers")
        buffered += data
    head, _, extra = buffered.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, extra
