#!/usr/bin/env python3
"""Page-diff probe: how many 8 KiB pages of a data directory changed, and what they cost compressed.

    page-diff.py snapshot DATADIR STATE.json   # remember a hash of every page of every relation file
    page-diff.py diff DATADIR STATE.json        # compare: changed pages, and the sum of each changed page
                                                # compressed alone with zstd level 3 (libzstd via ctypes)

The sum is the yardstick of the repeat-backup goal: a repeat backup should store at most 1.25x it.
Relation files are those under base/, global/ and pg_tblspc/ whose name is digits with an optional _fsm/_vm/.N suffix.
"""
import ctypes, hashlib, json, os, re, sys

PAGE = 8192
RELATION = re.compile(r"^\d+(_(fsm|vm|init))?(\.\d+)?$")


def relation_files(datadir):
    for top in ("base", "global", "pg_tblspc"):
        for root, _, files in os.walk(os.path.join(datadir, top), followlinks=True):
            for name in files:
                if RELATION.match(name):
                    path = os.path.join(root, name)
                    yield os.path.relpath(path, datadir), path


def page_hashes(path):
    out = []
    with open(path, "rb") as f:
        while page := f.read(PAGE):
            out.append(hashlib.blake2b(page, digest_size=8).hexdigest())
    return out


def snapshot(datadir, state):
    data = {rel: page_hashes(path) for rel, path in relation_files(datadir)}
    with open(state, "w") as f:
        json.dump(data, f)


def diff(datadir, state):
    with open(state) as f:
        old = json.load(f)
    zstd = ctypes.CDLL("libzstd.so.1")
    zstd.ZSTD_compressBound.restype = ctypes.c_size_t
    zstd.ZSTD_compress.restype = ctypes.c_size_t
    zstd.ZSTD_isError.restype = ctypes.c_uint
    bound = zstd.ZSTD_compressBound(ctypes.c_size_t(PAGE))
    buffer = ctypes.create_string_buffer(bound)
    changed = total = compressed = 0
    for rel, path in relation_files(datadir):
        before = old.get(rel, [])
        with open(path, "rb") as f:
            index = 0
            while page := f.read(PAGE):
                total += 1
                if index >= len(before) or hashlib.blake2b(page, digest_size=8).hexdigest() != before[index]:
                    changed += 1
                    size = zstd.ZSTD_compress(buffer, ctypes.c_size_t(bound), page, ctypes.c_size_t(len(page)), 3)
                    compressed += min(size, len(page)) if not zstd.ZSTD_isError(ctypes.c_size_t(size)) else len(page)
                index += 1
    print(json.dumps({"pages": total, "changed_pages": changed, "changed_compressed_bytes": compressed}))


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("snapshot", "diff"):
        sys.exit(__doc__)
    (snapshot if sys.argv[1] == "snapshot" else diff)(sys.argv[2], sys.argv[3])
