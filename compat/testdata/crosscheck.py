"""Prints python3-avro's compatibility verdicts for reader/writer pairs.

Reads a JSON list of {"reader": text, "writer": text} on stdin and writes a
JSON list of {"compatible": bool, "kinds": [...], "locations": [...]} or
{"error": text} to stdout. Run with Debian's /usr/bin/python3 (python3-avro).
"""
import json
import sys

import avro.schema
from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType


def verdict(pair):
    try:
        reader = avro.schema.parse(pair["reader"])
        writer = avro.schema.parse(pair["writer"])
        result = ReaderWriterCompatibilityChecker().get_compatibility(reader, writer)
    except Exception as e:  # a parse error or a checker failure
        return {"error": "%s: %s" % (type(e).__name__, e)}
    ok = result.compatibility is SchemaCompatibilityType.compatible
    return {
        "compatible": ok,
        "kinds": sorted({k.name.upper() for k in result.incompatibilities}),
        "locations": [] if ok else sorted(result.locations),
    }


json.dump([verdict(p) for p in json.load(sys.stdin)], sys.stdout)
