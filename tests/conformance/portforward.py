#!/usr/bin/python3
"""Port-forwarding with the official Python kubernetes client (Debian's python3-kubernetes).

  portforward.py KUBECONFIG NAMESPACE POD PORT request METHOD PATH [BODY]
      one HTTP request through pods/portforward; prints the status line and the body
  portforward.py KUBECONFIG NAMESPACE POD PORT listen
      a local port-forward: listens on 127.0.0.1, prints "port N", and carries every accepted
      connection over its own pods/portforward WebSocket until killed
"""
import base64
import select
import socket
import sys
import threading

from kubernetes import client, config
from kubernetes.stream import portforward


def forward(api, namespace, pod, port):
    pf = portforward(api.connect_get_namespaced_pod_portforward, pod, namespace, ports=str(port))
    return pf, pf.socket(port)


def request(api, namespace, pod, port, method, path, body):
    pf, sock = forward(api, namespace, pod, port)
    sock.setblocking(True)
    data = body.encode()
    auth = base64.b64encode(b"root:taosdata").decode()
    head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Basic {auth}\r\n"
            f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n")
    sock.sendall(head.encode() + data)
    response = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        response += chunk
        if b"\r\n\r\n" in response:
            headers, _, rest = response.partition(b"\r\n\r\n")
            length = [int(l.split(b":")[1]) for l in headers.split(b"\r\n") if l.lower().startswith(b"content-length:")]
            if length and len(rest) >= length[0]:
                break
    sock.close()
    pf.close()
    headers, _, rest = response.partition(b"\r\n\r\n")
    print(headers.split(b"\r\n")[0].decode())
    print(rest.decode())


def pipe(local, api, namespace, pod, port):
    pf, remote = forward(api, namespace, pod, port)
    try:
        while True:
            readable, _, _ = select.select([local, remote], [], [], 30)
            if not readable:
                break
            for s in readable:
                data = s.recv(65536)
                if not data:
                    return
                (remote if s is local else local).sendall(data)
    except OSError:
        pass
    finally:
        local.close()
        remote.close()
        pf.close()


def listen(api, namespace, pod, port):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    print(f"port {server.getsockname()[1]}", flush=True)
    while True:
        conn, _ = server.accept()
        threading.Thread(target=pipe, args=(conn, api, namespace, pod, port), daemon=True).start()


def main():
    kubeconfig, namespace, pod, port, mode = sys.argv[1:6]
    config.load_kube_config(config_file=kubeconfig)
    api = client.CoreV1Api()
    if mode == "request":
        request(api, namespace, pod, int(port), sys.argv[6], sys.argv[7], sys.argv[8] if len(sys.argv) > 8 else "")
    else:
        listen(api, namespace, pod, int(port))


if __name__ == "__main__":
    main()
