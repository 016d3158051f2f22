#!/usr/bin/env python3
# A TCP relay for tests/bench/wire.sh: listens on a free loopback port
# (written to PREFIX.port), forwards each connection to 127.0.0.1:PORT and,
# when it closes, writes the bytes the server sent to PREFIX.count (summed
# over the connections since the file was emptied).
import socket, sys, threading

port, prefix = int(sys.argv[1]), sys.argv[2]
lock = threading.Lock()

def pipe(src, dst, counted, box):
    while True:
        try:
            b = src.recv(1 << 16)
        except OSError:
            b = b''
        if not b:
            break
        if counted:
            box[0] += len(b)
        try:
            dst.sendall(b)
        except OSError:
            break
    try:
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass

def serve(c):
    s = socket.create_connection(('127.0.0.1', port))
    box = [0]
    up = threading.Thread(target=pipe, args=(c, s, False, box))
    up.start()
    pipe(s, c, True, box)
    up.join()
    c.close()
    s.close()
    with lock:
        try:
            before = int(open(prefix + '.count').read() or 0)
        except (OSError, ValueError):
            before = 0
        open(prefix + '.count', 'w').write(str(before + box[0]))

ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(('127.0.0.1', 0))
ls.listen(16)
open(prefix + '.port', 'w').write(str(ls.getsockname()[1]))
while True:
    c, _ = ls.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
