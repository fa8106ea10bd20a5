# A static HTTP server for guests' network tests: serves the directory given, on all addresses.
import http.server
import os
import sys

port, root = int(sys.argv[1]), sys.argv[2]
os.chdir(root)


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("0.0.0.0", port), Quiet)
print("listening", flush=True)
server.serve_forever()
