#!/usr/bin/env python3
"""Write the hand-made seeds of the fuzz targets' corpora.

Run from the top of the tree: python3 tests/fuzz/seeds.py.  Each seed is a
small, meaningful input in its target's format (valid files, and a few
damaged ones such as a torn tail); files made by the programs themselves
sit beside them in the corpus folders.  Running it again rewrites the same
files.
"""
import json
import os
import struct


def crc32c(data, crc=0):
    crc ^= 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def rl_binary(records, version=1):
    out = b"HMRECLOG" + struct.pack("<II", version, 0)
    for r in records:
        ln = struct.pack("<I", len(r))
        out += ln + struct.pack("<I", crc32c(r, crc32c(ln))) + r
    return out


def rl_text(records):
    return b"".join(r + b"\t%08x\n" % crc32c(r) for r in records)


def put(part, target, name, data):
    d = os.path.join("tests", "fuzz", part, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


# ---- statd: the status file's records (store.c) ----
BOOT = b"7c0d6f3e-2b1a-4c5d-9e8f-0a1b2c3d4e5f"


def st_state(n):
    return b"S" + struct.pack("<I", n) + BOOT


def st_mon(mon, my, prog=100021, vers=4, proc=16, priv=b"\x01" * 16):
    return (b"M" + struct.pack("<III", prog, vers, proc) + priv +
            struct.pack("<HH", len(mon), len(my)) + mon + my)


def st_unmon(mon, my, prog=100021, vers=4, proc=16):
    return (b"U" + struct.pack("<III", prog, vers, proc) +
            struct.pack("<HH", len(mon), len(my)) + mon + my)


def st_unmon_all(my, prog=100021, vers=4, proc=16):
    return b"A" + struct.pack("<IIIH", prog, vers, proc, len(my)) + my


def st_notify(mon, state=3, since=1700000000000):
    return b"N" + struct.pack("<IqH", state, since, len(mon)) + mon


def st_done(mon):
    return b"D" + struct.pack("<H", len(mon)) + mon


records = [st_state(3), st_mon(b"client1", b"nfs1"),
           st_mon(b"198.18.0.2", b"nfs1"),
           st_mon(b"Client1", b"localhost", proc=17),
           st_notify(b"client9"), st_done(b"client9"),
           st_notify(b"fe80::1"), st_unmon(b"client1", b"nfs1"),
           st_unmon_all(b"localhost"), st_state(5)]
status = rl_binary(records)
# 'R': the records alone, framed by the target with good checksums.
put("statd", "statusfile", "records",
    b"R" + b"".join(struct.pack("<H", len(r)) + r for r in records))
put("statd", "statusfile", "records-no-state",
    b"R" + b"".join(struct.pack("<H", len(r)) + r for r in records[1:-1]))
put("statd", "statusfile", "typical", status)
put("statd", "statusfile", "torn-tail", status[:-7])
put("statd", "statusfile", "empty", b"")
put("statd", "statusfile", "header-only", rl_binary([]))
put("statd", "statusfile", "newer-version", rl_binary([st_state(1)], 2))
put("statd", "statusfile", "bad-names",
    rl_binary([st_state(1), st_mon(b"../etc", b"nfs1"),
               st_mon(b"a b", b"nfs1"), st_notify(b".hidden"),
               st_mon(b"ok1", b"nfs1") + b"trailing"]))
put("statd", "statusfile", "zero-filled",
    rl_binary([st_state(7), st_mon(b"h1", b"nfs1")]) + b"\0" * 64)

# ---- statd: RPC calls (op, u16 length, XDR arguments) ----


def xstr(s):
    return struct.pack(">I", len(s)) + s + b"\0" * (-len(s) % 4)


def my_id(name, prog=100021, vers=4, proc=16):
    return xstr(name) + struct.pack(">iii", prog, vers, proc)


def call(proc, args=b"", caller=0):
    return struct.pack("<BH", proc | caller << 3, len(args)) + args


PRIV = bytes(range(16))
put("statd", "rpc", "mon-unmon",
    call(2, xstr(b"client1") + my_id(b"nfs1") + PRIV) +
    call(1, xstr(b"client1")) +
    call(3, xstr(b"client1") + my_id(b"nfs1")))
put("statd", "rpc", "mon-notify",
    call(2, xstr(b"198.18.0.2") + my_id(b"localhost") + PRIV) +
    call(2, xstr(b"client2") + my_id(b"nfs1") + PRIV, caller=1) +
    call(6, xstr(b"CLIENT2") + struct.pack(">i", 3), caller=2) +
    call(6, xstr(b"x") + struct.pack(">i", 5), caller=2))
put("statd", "rpc", "crash",
    call(2, xstr(b"client3") + my_id(b"nfs1") + PRIV) + call(5) +
    call(4, my_id(b"nfs1")))
put("statd", "rpc", "refused",
    call(2, xstr(b"client4") + my_id(b"nfs1") + PRIV, caller=2) +
    call(2, xstr(b"client4") + my_id(b"other") + PRIV) +
    call(2, xstr(b"client4") + my_id(b"nfs1", prog=7) + PRIV) +
    call(5, caller=3) + call(2, xstr(b"a/b") + my_id(b"nfs1") + PRIV))
put("statd", "rpc", "garbage",
    call(2, b"\xff\xff\xff\xff") + call(1, b"") + call(0))

# ---- common: record logs ----
put("common", "reclog_binary", "three-records",
    rl_binary([b"one", b"", b"three" * 20]))
put("common", "reclog_binary", "torn", rl_binary([b"one", b"two"])[:-1])
put("common", "reclog_binary", "bad-sum",
    rl_binary([b"one"]) + b"\x03\0\0\0\0\0\0\0abc")
put("common", "reclog_binary", "zero-tail",
    rl_binary([b"one"]) + b"\0" * 40)
put("common", "reclog_binary", "newer", rl_binary([b"x"], 9))
put("common", "reclog_text", "three-lines",
    rl_text([b"first", b"with\ttab", b"third"]))
put("common", "reclog_text", "unchecked-and-bad",
    b"hand edited\n" + rl_text([b"ok"]) + b"bad\t00000000\n\n" +
    rl_text([b"after"]))
put("common", "reclog_text", "torn", rl_text([b"a", b"b"])[:-4])

# ---- samd: event log records ----
SEP = ".:."


def ev(evid, t, typ, name, state, plan="", user="", msg="", logt=None):
    return SEP.join(["E", str(evid), str(t), typ, name, state, plan,
                     str(logt if logt is not None else t), user, msg])


def mod(evid, t, state, plan="", user="", msg="", mask="t", logt=None):
    return SEP.join(["M", str(evid), str(t), "", "", state, plan,
                     str(logt if logt is not None else t), user, msg,
                     mask])


VER = "SAMLOG" + SEP + "1"
lines = [VER,
         ev(1, 1700000000, "NODE", "node1", "UP"),
         ev(2, 1700000100, "APPL", "samd", "DOWN", "UNPLANNED", "",
            "no heartbeat"),
         ev(3, 1700000400, "APPL", "samd", "UP"),
         ev(4, 1700001000, "NODE", "node1", "DOWN", "PLANNED", "root",
            "maintenance"),
         mod(4, 1700000900, "DOWN", "PLANNED", "root", "moved", "tu"),
         ev(5, 1700002000, "NODE", "node1", "UP"),
         ev(6, 1700003000, "TIME", "clock", "CHANGE", "", "", "+30s"),
         ev(7, 1700004000, "CLUS", "cluster", "GONE")]
put("samd", "evrec", "typical", "\n".join(lines) + "\n")
put("samd", "evrec", "bad-fields",
    "\n".join(["E" + SEP + "0" + SEP + "1",
               ev(1, 99999999999999, "NODE", "n", "UP"),
               ev(1, 1, "NODE", "a b", "UP"),
               mod(1, 1, "UP", mask="tt"),
               "SAMLOG" + SEP + "0"]) + "\n")
text_log = rl_text([l.encode() for l in lines])
put("samd", "report", "typical", text_log)
put("samd", "report", "gone-and-back",
    rl_text([VER.encode(),
             ev(1, 100, "NODE", "n1", "DOWN", "UNPLANNED").encode(),
             ev(2, 200, "NODE", "n1", "GONE").encode(),
             ev(3, 300, "NODE", "n1", "UP").encode(),
             ev(4, 400, "NODE", "n1", "DOWN", "PLANNED").encode()]))
put("samd", "evlog", "typical", text_log)
put("samd", "evlog", "empty", b"")
put("samd", "evlog", "newer-format",
    rl_text([("SAMLOG" + SEP + "2").encode()]))
put("samd", "evlog", "highest-id",
    rl_text([VER.encode(),
             ev(9999999999999999998, 1, "NODE", "n", "UP").encode()]))
for i, (k, v) in enumerate([(0, "1700000000"), (0, "@0"),
                            (0, "20231114221320"), (0, "2023-11-14"),
                            (0, "2023-11-14 22:13"),
                            (0, "2023-11-14T22:13:20"), (0, "2023-02-31"),
                            (0, "now"), (1, "APPL"), (2, "DOWN"),
                            (3, "PLANNED"), (4, "NODE_FAIL"),
                            (5, "a message.:"), (6, "/var/avail/sam//")]):
    put("samd", "params", "p%02d" % i, bytes([k]) + v.encode())

# ---- ssd: status times and names ----


def status_in(atime, mtime, age, down, name):
    return struct.pack("<IIiI", atime, mtime, age, down) + name


up = (3600 << 16) | 120          # up an hour, idle two minutes
put("ssd", "status", "up", status_in(up, (25 << 24) | (3 << 16) |
                                      (12 << 8) | 2, 30, 149, b"host1"))
put("ssd", "status", "down-marked", status_in(0, 0, 500, 149, b"host2"))
put("ssd", "status", "stale", status_in(up, 0, 1000, 149, b"db-1.example"))
put("ssd", "status", "big-exponent",
    status_in(0xffffffff, 0xffffffff, -5, 86399, b"h"))
put("ssd", "status", "bad-name", status_in(up, 0, 0, 149, b"../etc"))
put("ssd", "names", "host", b"\x00host-1.example_2")
put("ssd", "names", "dot", b"\x00.hidden")
put("ssd", "names", "quote", b"\x01/var/share/it's here/ss")
put("ssd", "names", "remote", b"\x02/usr/local/share/lib/ss")
put("ssd", "names", "keys", b"\x03tlu")

# ---- smsd: configuration, dpkg status, inventory, history ----
put("smsd", "conf", "typical", """# smsd.conf
listen 0.0.0.0
listen ::
port 596
allow 127.0.0.1
allow 198.18.0.0/15
allow ::1/128
member-name node1
member node1 198.18.0.1
member node2 198.18.0.2 597
max-clients 100
max-request-size 8192
idle-timeout 30
source-timeout 2000
event-history 1024
log-file /var/log/smsd/smsd.log
data-dir /var/cluster/sms
post-socket /run/smsd/post.sock
pid-file /run/smsd.pid
dpkg-dir /var/lib/dpkg
post-group _hostmon
post-trusted root
user _hmsmsd
""")
put("smsd", "conf", "errors", """port 0
member ../x 198.18.0.3
member node1 198.18.0.1
member node1 198.18.0.4
data-dir relative/path
log-file /var/../etc/passwd
allow 300.1.1.1/99
unknown-word 1
listen
""")
put("smsd", "dpkg", "stanzas", """Package: libc6
Status: install ok installed
Priority: required
Section: libs
Installed-Size: 12988
Architecture: amd64
Version: 2.36-9+deb12u4
Description: GNU C Library: Shared libraries
 Contains the standard libraries that are used by nearly all programs on
 the system.

Package: oldpkg
Status: deinstall ok config-files
Version: 1.0

Package: latin1
Status: install ok installed
Installed-Size: 4
Description: caf\xe9
""".encode("latin-1"))
put("smsd", "dpkg", "crlf-no-final-newline",
    b"Package: a\r\nStatus: install ok installed\r\n\r\nPackage: b\n"
    b"Installed-Size: 99999999999999999999999")


def inv(hw, sw):
    h = json.dumps(hw).encode()
    return struct.pack("<H", len(h)) + h + json.dumps(sw).encode()


node = {"id": "system", "class": "system", "name": "host1",
        "parent": None, "health": "good", "attributes": {}}
disk = {"id": "disk:sda", "class": "disk", "name": "sda",
        "parent": "system", "health": "warning",
        "attributes": {"size": 1000}}
pkgs = {"database": "/var/lib/dpkg/status", "count": 1,
        "packages": [{"name": "libc6", "state": "installed",
                      "version": "2.36", "installed_size_kib": 12988}]}
put("smsd", "inventory", "typical", inv({"nodes": [node, disk]}, pkgs))
put("smsd", "inventory", "no-id",
    inv({"nodes": [{"health": "warning"}]}, {"packages": 3}))
put("smsd", "inventory", "not-json", struct.pack("<H", 5) + b"{\"nod[1,2")


def hist(seq, name, pri=300, msg="m"):
    return json.dumps({"seq": seq, "time_ms": 1700000000000 + seq,
                       "time": "2023-11-14T22:13:20.000Z", "name": name,
                       "priority": pri, "priority_name": "warning",
                       "source": "post", "member": "m1",
                       "message": msg}, separators=(",", ":")).encode()


put("smsd", "history", "typical",
    rl_text([hist(1, "hostmon.statd.reboot"), hist(2, "sys.unix.kernel"),
             hist(3, "app.x", 700)]))
put("smsd", "history", "out-of-order-and-bad",
    rl_text([hist(9, "a.b"), hist(3, "c.d"), b"{}", b"[1]",
             hist(-1, "e.f"), hist(4, "bad name")]) + b"{\"seq\":5")

# ---- cluster: membership operations ----
put("cluster", "members", "join-leave",
    bytes([7, 1]) +                       # local node 1
    bytes([1, 1, 5]) + b"node1" + bytes([1, 2, 5]) + b"node2" +
    bytes([2, 2, 10]) + b"198.18.0.2" +
    bytes([3, 2, 1, 2]) +                 # membership {1, 2}
    bytes([5, 2, 1, 2]) + bytes([6, 2]) +  # cpg view, node 2 leaves
    bytes([12, 1, 1]) +                   # membership {1}: planned
    bytes([4]) + bytes([13]) + bytes([8]))
