#!/usr/bin/python3
"""Encodes and decodes Avro binary with Apache Avro for Python (Debian's
python3-avro), for the Go tests of the generated code.

Reads a JSON list of requests on stdin, each

    {"schema": "<schema>", "mode": "logical" | "raw",
     "write": [value, ...],             values to encode
     "read": ["<base64>", ...],         encodings to decode
     "writer_schema": "<schema>"}       optional: decode data written with
                                        this schema, resolving to "schema"

and writes the list of their responses on stdout, each

    {"written": [{"data": "<base64>"} | {"error": "..."}, ...],
     "read": [{"value": value} | {"error": "..."}, ...]}

Values are JSON, read along the schema: null, booleans, strings and enum
symbols as themselves; int and long as numbers; float and double as strings
("1.5", "nan", "inf", "-inf"); bytes and fixed as base64; records and maps as
objects; arrays as lists; a union value as {"i": branch index, "v": value}.
In "logical" mode the logical types this avro knows are values of theirs:
date "YYYY-MM-DD", time-millis and time-micros [hour, minute, second,
microsecond], timestamp-millis and timestamp-micros [year, month, day, hour,
minute, second, microsecond] in UTC, decimal a decimal string, uuid its
text. In "raw" mode every logicalType is dropped from the schema first, so
every value is of its underlying type.

Unions are written with the branch the value names, and read with the branch
the data names (avro picks the last branch a value validates against, and
reads back only the value); everything else is avro's own.
"""

import base64
import datetime
import decimal
import io
import json
import sys
import warnings

import avro.io
import avro.schema

warnings.simplefilter("ignore")  # unknown logical types are fine

UTC = datetime.timezone.utc


class Tagged:
    """A union value with its branch."""

    __slots__ = ("index", "value")

    def __init__(self, index, value):
        self.index = index
        self.value = value


class TaggedWriter(avro.io.DatumWriter):
    def write_union(self, writers_schema, datum, encoder):
        encoder.write_long(datum.index)
        self.write_data(writers_schema.schemas[datum.index], datum.value, encoder)


class TaggedReader(avro.io.DatumReader):
    def read_union(self, writers_schema, readers_schema, decoder):
        index = int(decoder.read_long())
        if index < 0 or index >= len(writers_schema.schemas):
            raise avro.errors.SchemaResolutionException(f"union index {index} out of range")
        branch = writers_schema.schemas[index]
        return Tagged(index, self.read_data(branch, readers_schema.schemas[index], decoder))


def strip_logical(obj):
    if isinstance(obj, dict):
        return {k: strip_logical(v) for k, v in obj.items() if k not in ("logicalType", "precision", "scale")}
    if isinstance(obj, list):
        return [strip_logical(v) for v in obj]
    return obj


S = avro.schema


def to_py(s, j):
    """A JSON value of the protocol to the datum avro writes."""
    if isinstance(s, S.UnionSchema):
        return Tagged(j["i"], to_py(s.schemas[j["i"]], j["v"]))
    if isinstance(s, S.RecordSchema):
        return {f.name: to_py(f.type, j[f.name]) for f in s.fields}
    if isinstance(s, S.ArraySchema):
        return [to_py(s.items, v) for v in j]
    if isinstance(s, S.MapSchema):
        return {k: to_py(s.values, v) for k, v in j.items()}
    if isinstance(s, S.DateSchema):
        return datetime.date.fromisoformat(j)
    if isinstance(s, (S.TimeMillisSchema, S.TimeMicrosSchema)):
        return datetime.time(*j)
    if isinstance(s, (S.TimestampMillisSchema, S.TimestampMicrosSchema)):
        return datetime.datetime(*j, tzinfo=UTC)
    if isinstance(s, (S.BytesDecimalSchema, S.FixedDecimalSchema)):
        return decimal.Decimal(j)
    if s.type in ("bytes", "fixed"):
        return base64.b64decode(j)
    if s.type in ("float", "double"):
        return float(j)
    return j


def from_py(s, v):
    """A datum avro read to a JSON value of the protocol."""
    if isinstance(s, S.UnionSchema):
        if not isinstance(v, Tagged):  # a default: of the first branch
            v = Tagged(0, v)
        return {"i": v.index, "v": from_py(s.schemas[v.index], v.value)}
    if isinstance(s, S.RecordSchema):
        return {f.name: from_py(f.type, v[f.name]) for f in s.fields}
    if isinstance(s, S.ArraySchema):
        return [from_py(s.items, x) for x in v]
    if isinstance(s, S.MapSchema):
        return {k: from_py(s.values, x) for k, x in v.items()}
    if isinstance(v, datetime.datetime):
        v = v.astimezone(UTC)
        return [v.year, v.month, v.day, v.hour, v.minute, v.second, v.microsecond]
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, datetime.time):
        return [v.hour, v.minute, v.second, v.microsecond]
    if isinstance(v, decimal.Decimal):
        return str(v)
    if isinstance(v, bytes):
        return base64.b64encode(v).decode()
    if isinstance(v, float):
        return repr(v)
    return v


def answer(req):
    """The response to one request."""
    raw = req.get("mode") == "raw"

    def parse(text):
        obj = json.loads(text)
        return avro.schema.parse(json.dumps(strip_logical(obj) if raw else obj))

    schema = parse(req["schema"])
    writer_schema = parse(req["writer_schema"]) if req.get("writer_schema") else schema
    out = {"written": [], "read": []}
    for value in req.get("write", []):
        try:
            buf = io.BytesIO()
            TaggedWriter(schema).write_data(schema, to_py(schema, value), avro.io.BinaryEncoder(buf))
            out["written"].append({"data": base64.b64encode(buf.getvalue()).decode()})
        except Exception as e:  # reported per value
            out["written"].append({"error": f"{type(e).__name__}: {e}"})
    for data in req.get("read", []):
        try:
            raw_bytes = base64.b64decode(data)
            buf = io.BytesIO(raw_bytes)
            datum = TaggedReader(writer_schema, schema).read(avro.io.BinaryDecoder(buf))
            if buf.tell() != len(raw_bytes):
                raise ValueError(f"{len(raw_bytes) - buf.tell()} trailing bytes")
            out["read"].append({"value": from_py(schema, datum)})
        except Exception as e:
            out["read"].append({"error": f"{type(e).__name__}: {e}"})
    return out


def main():
    json.dump([answer(req) for req in json.load(sys.stdin)], sys.stdout)


if __name__ == "__main__":
    main()
